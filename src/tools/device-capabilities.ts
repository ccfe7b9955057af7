/**
 * What one device can do, read from its hardware schema and protocols: the measurements it reports,
 * the settings configure_device may change (with their allowed values or ranges), and the commands
 * run_command may send. The verb tools check their arguments against it at call time.
 */
import { declaredMeasurements } from '../core/device-filter.ts';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import { canonicalName } from '../core/measurements.ts';

export interface MeasurementCapability {
  readonly name: string;
  readonly unit?: string;
  readonly range_min?: number;
  readonly range_max?: number;
}

export interface SettingCapability {
  readonly name: string;
  readonly type?: string;
  readonly unit?: string;
  readonly allowed_values?: readonly (string | number | boolean)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: string | number | boolean;
  readonly read_only?: boolean;
}

export interface CommandCapability {
  readonly name: string;
  /** The JSON-RPC method it sends. */
  readonly method: string;
  /** The param that names the device (`mcu_id`, `sensor_id`, `device_id`). */
  readonly idParam: 'mcu_id' | 'sensor_id' | 'device_id';
  /** Its arguments, by name (the method's other params). */
  readonly args: readonly string[];
}

export interface DeviceCapabilities {
  readonly measurements: readonly MeasurementCapability[];
  /** Declared settings; undefined when the schema declares none (any key is forwarded unchecked). */
  readonly settings: readonly SettingCapability[] | undefined;
  readonly commands: readonly CommandCapability[];
}

const MCU_COMMANDS: CommandCapability[] = [
  { name: 'get_status', method: 'mcu.get_status', idParam: 'mcu_id', args: ['timeout_ms'] },
  { name: 'get_config', method: 'mcu.get_config', idParam: 'mcu_id', args: ['keys', 'timeout_ms'] },
  { name: 'scan_bus', method: 'sensor.scan_bus', idParam: 'mcu_id', args: ['bus', 'timeout_ms'] },
  { name: 'reboot', method: 'mcu.reboot', idParam: 'mcu_id', args: ['delay_ms', 'timeout_ms'] },
  { name: 'upload_program', method: 'mcu.upload_program', idParam: 'mcu_id', args: ['program', 'language', 'version', 'checksum', 'timeout_ms'] },
  { name: 'execute_script', method: 'mcu.execute_script', idParam: 'mcu_id', args: ['script', 'language', 'timeout_ms'] },
];
const SENSOR_COMMANDS: CommandCapability[] = [
  { name: 'read_raw', method: 'sensor.read_raw', idParam: 'sensor_id', args: ['timeout_ms'] },
  { name: 'health', method: 'sensor.health', idParam: 'sensor_id', args: ['timeout_ms'] },
  { name: 'calibrate', method: 'sensor.calibrate', idParam: 'sensor_id', args: ['reference', 'method', 'timeout_ms'] },
  { name: 'reset', method: 'sensor.reset', idParam: 'sensor_id', args: ['timeout_ms'] },
];
const LWM2M_COMMANDS: CommandCapability[] = (
  [
    ['read', ['path']],
    ['discover', ['path']],
    ['write', ['path', 'value']],
    ['write_attributes', ['path', 'pmin', 'pmax', 'gt', 'lt', 'st']],
    ['execute', ['path', 'args']],
    ['create', ['path', 'values']],
    ['delete', ['path']],
    ['observe', ['path']],
    ['cancel_observe', ['path']],
  ] as const
).map(([op, args]) => ({ name: `lwm2m_${op}`, method: `lwm2m.${op}`, idParam: 'device_id' as const, args: [...args, 'timeout_ms'] }));
const SPARKPLUG_COMMANDS: CommandCapability[] = [{ name: 'write_metric', method: 'device.write_metric', idParam: 'device_id', args: ['metric', 'value', 'timeout_ms'] }];

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The device's capabilities, from its static schema, type and protocols. */
export function capabilitiesOf(device: Device): DeviceCapabilities {
  const declared = Array.isArray(device.staticSchema['measurements']) ? (device.staticSchema['measurements'] as Record<string, unknown>[]) : [];
  const measurements: MeasurementCapability[] = declaredMeasurements(device).map((name) => {
    const entry = declared.find((m) => m['measurement_type'] === name) ?? {};
    const unit = str(entry['unit']);
    const min = num(entry['range_min']);
    const max = num(entry['range_max']);
    return { name, ...(unit !== undefined && { unit }), ...(min !== undefined && { range_min: min }), ...(max !== undefined && { range_max: max }) };
  });
  const options = device.staticSchema['configuration_options'];
  const settings =
    options !== null && typeof options === 'object' && !Array.isArray(options) && Object.keys(options).length > 0
      ? Object.entries(options as Record<string, Record<string, unknown>>).map(([name, o]) => setting(name, o))
      : undefined;
  const commands: CommandCapability[] = [];
  // The generic MCU and sensor methods serve every protocol (each adapter maps them or answers UNSUPPORTED_OPERATION).
  commands.push(...(device.type === 'mcu' ? MCU_COMMANDS : SENSOR_COMMANDS));
  if (device.protocols.includes('lwm2m')) commands.push(...LWM2M_COMMANDS);
  if (device.protocols.includes('sparkplug')) commands.push(...SPARKPLUG_COMMANDS);
  return { measurements, settings, commands };
}

function setting(name: string, o: Record<string, unknown>): SettingCapability {
  const allowed = Array.isArray(o['allowed_values']) ? o['allowed_values'].filter(isScalar) : undefined;
  const out: Record<string, unknown> = { name };
  for (const key of ['type', 'unit'] as const) if (typeof o[key] === 'string') out[key] = o[key];
  if (allowed !== undefined) out['allowed_values'] = allowed;
  for (const key of ['minimum', 'maximum'] as const) if (typeof o[key] === 'number') out[key] = o[key];
  if (isScalar(o['default'])) out['default'] = o['default'];
  if (o['read_only'] === true) out['read_only'] = true;
  return out as unknown as SettingCapability;
}

/** One line per capability name, for error messages and completions. */
export function capabilityNames(capabilities: DeviceCapabilities): string[] {
  return [...capabilities.measurements.map((m) => m.name), ...(capabilities.settings ?? []).map((s) => s.name), ...capabilities.commands.map((c) => c.name)];
}

const who = (device: Device): string => `${device.hardwareId} (${device.model})`;

/** The command named, or UNSUPPORTED_OPERATION listing the device's commands. */
export function commandOf(device: Device, name: string): CommandCapability {
  const { commands } = capabilitiesOf(device);
  const command = commands.find((c) => c.name === name);
  if (command) return command;
  throw new HubError('UNSUPPORTED_OPERATION', `Unsupported operation: ${who(device)} has no command "${name}"; its commands: ${commands.map((c) => c.name).join(', ') || 'none'}`, {
    device_id: device.id,
    command: name,
    valid_commands: commands.map((c) => c.name),
  });
}

/** Measurements requested that the device does not report: UNSUPPORTED_OPERATION listing the ones it does. */
export function checkMeasurements(device: Device, requested: readonly string[] | undefined): void {
  if (requested === undefined) return;
  const { measurements } = capabilitiesOf(device);
  if (measurements.length === 0) return; // nothing declared (a protocol device announcing as it reports): the method decides
  // Compared by canonical name too (docs/measurements.md): `temperature` is a Sparkplug `Sensors/temperature`.
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase() || canonicalName(a) === canonicalName(b);
  const unknown = requested.filter((r) => !measurements.some((m) => same(m.name, r)));
  if (unknown.length === 0) return;
  throw new HubError(
    'UNSUPPORTED_OPERATION',
    `Unsupported operation: ${who(device)} does not measure ${unknown.join(', ')}; it measures: ${measurements.map((m) => `${m.name}${m.unit ? ` (${m.unit})` : ''}`).join(', ')}`,
    { device_id: device.id, measurements: unknown, valid_measurements: measurements.map((m) => m.name) },
  );
}

/**
 * Check settings against the device's declared configuration options: an unknown name is
 * UNSUPPORTED_OPERATION listing the valid ones; a value of the wrong type is INVALID_PARAMS naming
 * what is allowed. Values outside allowed_values or minimum/maximum, and read-only options, are the
 * safety envelopes' to refuse (ENVELOPE_REFUSED naming the rule: the datasheet narrowed by policy).
 */
export function checkSettings(device: Device, settings: Record<string, unknown>): void {
  const declared = capabilitiesOf(device).settings;
  if (declared === undefined) return;
  const unknown = Object.keys(settings).filter((name) => !declared.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new HubError(
      'UNSUPPORTED_OPERATION',
      `Unsupported operation: ${who(device)} has no setting ${unknown.map((u) => `"${u}"`).join(', ')}; its settings: ${declared.map(describeSetting).join('; ')}`,
      { device_id: device.id, settings: unknown, valid_settings: declared },
    );
  }
  const issues = declared.flatMap((s) => (s.name in settings ? settingIssue(s, settings[s.name]) : []));
  if (issues.length > 0) {
    throw new HubError('INVALID_PARAMS', `Invalid params: ${who(device)}: ${issues.map((i) => i.message).join('; ')}`, {
      device_id: device.id,
      issues,
    });
  }
}

/** `name: one of a, b` / `name: 1..100 s` for messages. */
export function describeSetting(s: SettingCapability): string {
  if (s.allowed_values !== undefined) return `${s.name}: one of ${s.allowed_values.join(', ')}${s.unit ? ` ${s.unit}` : ''}`;
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? '…'}..${s.maximum ?? '…'}${s.unit ? ` ${s.unit}` : ''}` : '';
  return `${s.name}: ${s.type ?? 'value'}${range}`;
}

function settingIssue(s: SettingCapability, value: unknown): { path: string; message: string; allowed: string }[] {
  const fail = (why: string): { path: string; message: string; allowed: string }[] => [
    { path: `/settings/${s.name}`, message: `${s.name} ${why} (allowed: ${describeSetting(s).slice(s.name.length + 2)})`, allowed: describeSetting(s) },
  ];
  if (s.type === 'integer' && !Number.isInteger(value)) return fail(`must be an integer, got ${JSON.stringify(value)}`);
  if (s.type === 'number' && typeof value !== 'number') return fail(`must be a number, got ${JSON.stringify(value)}`);
  if (s.type === 'boolean' && typeof value !== 'boolean') return fail(`must be true or false, got ${JSON.stringify(value)}`);
  if (s.type === 'string' && typeof value !== 'string') return fail(`must be a string, got ${JSON.stringify(value)}`);
  return [];
}
