/** The settings a simulated MCU keeps in flash: read by `mcu.get_config`, changed by `mcu.set_config`, kept across reboots. */
import { validatePatch, type FieldSpec } from './config-validation.ts';
import type { JsonObject } from './sensor-model.ts';

/** MCU configuration. Interval and QoS changes take effect on the next telemetry or heartbeat tick. */
export interface McuConfig {
  readonly telemetry_interval_ms: number;
  readonly heartbeat_interval_ms: number;
  /** 0 or 1; the protocol allows QoS 0 for telemetry only. */
  readonly telemetry_qos: 0 | 1;
  /** `low_power` runs the CPU at a third of its clock. */
  readonly power_mode: 'normal' | 'low_power';
  readonly log_level: 'debug' | 'info' | 'warn' | 'error';
  readonly wifi_ssid: string;
  readonly led_enabled: boolean;
}

export const MCU_CONFIG_FIELDS: Readonly<Record<keyof McuConfig, FieldSpec>> = {
  telemetry_interval_ms: { type: 'number', min: 1, max: 86_400_000, integer: true },
  heartbeat_interval_ms: { type: 'number', min: 10, max: 86_400_000, integer: true },
  telemetry_qos: { type: 'enum', values: [0, 1] },
  power_mode: { type: 'enum', values: ['normal', 'low_power'] },
  log_level: { type: 'enum', values: ['debug', 'info', 'warn', 'error'] },
  wifi_ssid: { type: 'string', maxLength: 32 },
  led_enabled: { type: 'boolean' },
};

/** Keys whose change only takes effect after `mcu.reboot`. */
const REBOOT_KEYS: ReadonlySet<string> = new Set(['wifi_ssid']);

/** Result of applying a patch. */
export interface ConfigChange {
  readonly config: McuConfig;
  readonly changed: readonly string[];
  readonly requiresReboot: boolean;
}

/** Validate `patch` (DeviceRpcError -32602 when invalid) and merge it into `current`. */
export function applyMcuConfig(current: McuConfig, patch: JsonObject): ConfigChange {
  const accepted = validatePatch(patch, MCU_CONFIG_FIELDS, 'MCU');
  const next: Record<string, unknown> = { ...current };
  const changed: string[] = [];
  for (const [key, value] of accepted) {
    if (next[key] !== value) changed.push(key);
    next[key] = value;
  }
  return { config: next as unknown as McuConfig, changed, requiresReboot: changed.some((key) => REBOOT_KEYS.has(key)) };
}
