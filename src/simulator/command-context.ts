/** What hub→device command handlers may see and change on a simulated MCU. */
import type { AttachedSensor } from './attached-sensor.ts';
import type { BoardProfile } from './board-profiles.ts';
import type { ConfigChange, McuConfig } from './mcu-config.ts';
import type { JsonObject } from './sensor-model.ts';

/** A program accepted by `mcu.upload_program`. */
export interface InstalledProgram {
  readonly version: string;
  readonly language: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly installedAt: string;
}

/** The MCU as the command handlers see it; SimulatedMcu implements it. */
export interface CommandContext {
  readonly board: BoardProfile;
  /** Simulated time, ms since epoch. */
  now(): number;
  /** Sensors currently attached (detached ones are invisible to commands). */
  sensors(): readonly AttachedSensor[];
  /** The attached sensor with this hub id or hardware id; throws DeviceRpcError -32001 otherwise. */
  sensor(id: string): AttachedSensor;
  /** The MCU dynamic state document (`mcu.get_status`, heartbeats). */
  status(): JsonObject;
  config(): McuConfig;
  /** Validate and apply; throws DeviceRpcError -32602 when invalid. */
  setConfig(patch: JsonObject): ConfigChange;
  freeHeap(): number;
  /** Current CPU clock (a third of the maximum in `low_power`). */
  cpuFrequencyHz(): number;
  uptimeMs(): number;
  /** The program running now (null: the factory firmware). */
  program(): InstalledProgram | null;
  /** Stage an uploaded program; it starts at the next boot. */
  installProgram(program: InstalledProgram): void;
  /** Reboot once the current answer is on its way: offline now, back after `delayMs`. */
  scheduleReboot(delayMs: number): void;
}
