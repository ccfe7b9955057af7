/** The MCU dynamic state document (mcu-dynamic 1.0.0): heartbeat `dynamic_state` and `mcu.get_status` result. */
import type { AttachedSensor } from './attached-sensor.ts';
import type { BoardProfile } from './board-profiles.ts';
import type { InstalledProgram } from './command-context.ts';
import type { McuConfig } from './mcu-config.ts';
import type { McuResources } from './mcu-dynamics.ts';
import type { JsonObject } from './sensor-model.ts';

/** Everything the document is built from. */
export interface StatusInputs {
  readonly timeMs: number;
  readonly uptimeMs: number;
  readonly board: BoardProfile;
  readonly resources: McuResources;
  readonly sensors: readonly AttachedSensor[];
  readonly config: McuConfig;
  readonly connected: boolean;
  /** Program running since the last boot (an upload takes effect at the next reboot). */
  readonly program: InstalledProgram | null;
  readonly bootCount: number;
  readonly resetReason: 'power_on' | 'software';
  readonly reconnects: number;
  readonly lastError: { readonly code: string | number; readonly message: string; readonly timestamp: string } | null;
  readonly seed: number;
}

/**
 * Uptime, boot history, `resources` (cpu_percent, free_heap, …), `network` (rssi_dbm, ssid, ip, …) and
 * `connected_devices`: the sensors attached and discovered now, with hardware id, sensor id, bus and address.
 */
export function statusDocument(input: StatusInputs): JsonObject {
  const { resources, board, seed } = input;
  const octet = (shift: number): string => ((seed >>> shift) & 0xff).toString(16).padStart(2, '0').toUpperCase();
  return {
    timestamp: new Date(input.timeMs).toISOString(),
    status: input.config.power_mode === 'low_power' ? 'idle' : 'online',
    uptime_s: Math.floor(input.uptimeMs / 1000),
    boot_count: input.bootCount,
    reset_reason: input.resetReason,
    firmware_version: input.program?.version ?? board.firmwareVersion,
    resources: {
      cpu_percent: resources.cpuPercent,
      free_heap: resources.freeHeap,
      min_free_heap: resources.minFreeHeap,
      ram_used: Math.max(0, board.ramTotal - resources.freeHeap),
      flash_used: Math.round(board.flashTotal * 0.45) + (input.program?.sizeBytes ?? 0),
      ...(board.id === 'nano33-iot' ? {} : { temperature_c: resources.cpuTemperatureC }),
    },
    power: { source: 'usb', supply_voltage_v: 3.3 },
    network: {
      interface: 'wifi',
      connected: input.connected,
      ssid: input.config.wifi_ssid,
      channel: 1 + (seed % 11),
      rssi_dbm: resources.rssiDbm,
      ip: `192.168.${10 + (seed % 20)}.${20 + ((seed >>> 8) % 200)}`,
      mac: `24:0A:C4:${octet(0)}:${octet(8)}:${octet(16)}`,
      reconnects: input.reconnects,
    },
    connected_devices: input.sensors
      .filter((s) => s.attached && s.sensorId !== null)
      .map((s) => ({
        hardware_id: s.hardwareId,
        sensor_id: s.sensorId,
        bus: s.bus,
        address: s.address,
        manufacturer: s.staticSchema['manufacturer'],
        model: s.staticSchema['model'],
      })),
    last_error: input.lastError,
  };
}
