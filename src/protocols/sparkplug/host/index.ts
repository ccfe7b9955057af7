// Public surface of the Sparkplug B 3.0 Host Application (re-exports only).

export { DEVICE_METHODS, NODE_METHODS, supportsCommand } from './command-delivery.ts';
export { REBIRTH_METRIC, REBOOT_METRIC, commandTopic } from './command-payloads.ts';
export { BIRTH_SCHEMA_VERSION, DEVICE_MODEL, NODE_MODEL, NO_UNIT, UNKNOWN_MANUFACTURER, sparkplugDeviceHardwareId } from './birth-schema.ts';
export { HostStateMessages, parseStatePayload } from './host-state.ts';
export type { HostStatePayload, StateWill } from './host-state.ts';
export { MetricWriteError, toWriteValue } from './metric-write.ts';
export { SPARKPLUG_FILTER, SparkplugHost } from './sparkplug-host.ts';
export type { SparkplugHostOptions } from './sparkplug-host.ts';
export type { WriteResult } from './write-confirmations.ts';
