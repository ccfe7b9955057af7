/** Builds `telemetry.report` notifications: all sensors' readings per MCU, or exactly N points per message for benchmarks. */
import type { McuResources } from './mcu-dynamics.ts';
import type { SensorReading } from './sensor-model.ts';

/** A reading as it travels in `telemetry.report`; `sensor_id` absent = the MCU itself. */
export interface TelemetryReading extends SensorReading {
  readonly sensor_id?: string;
}

/** A `telemetry.report` notification (JSON-RPC 2.0 §4.1: no id). */
export interface TelemetryMessage {
  readonly jsonrpc: '2.0';
  readonly method: 'telemetry.report';
  readonly params: { readonly device_id: string; readonly timestamp: string; readonly readings: readonly TelemetryReading[] };
}

/** The MCU's own metrics, used to pad messages to a fixed size. */
export function mcuReadings(resources: McuResources, uptimeS: number): TelemetryReading[] {
  return [
    { measurement_type: 'cpu_temperature', value: resources.cpuTemperatureC, unit: 'celsius', quality: 'good' },
    { measurement_type: 'free_heap', value: resources.freeHeap, unit: 'bytes', quality: 'good' },
    { measurement_type: 'rssi', value: resources.rssiDbm, unit: 'dBm', quality: 'good' },
    { measurement_type: 'cpu_usage', value: resources.cpuPercent, unit: 'percent', quality: 'good' },
    { measurement_type: 'uptime', value: uptimeS, unit: 's', quality: 'good' },
  ];
}

/**
 * One message with every sensor reading; or, with `readingsPerMessage`, the readings split into messages of
 * exactly that many points, the last (or only) one padded with MCU metrics and then numbered `padding_{i}` points.
 */
export function buildTelemetryMessages(
  deviceId: string,
  timestamp: string,
  readings: readonly TelemetryReading[],
  padding: readonly TelemetryReading[],
  readingsPerMessage?: number,
): TelemetryMessage[] {
  const message = (readings: readonly TelemetryReading[]): TelemetryMessage => ({ jsonrpc: '2.0', method: 'telemetry.report', params: { device_id: deviceId, timestamp, readings } });
  if (readingsPerMessage === undefined) return readings.length === 0 ? [] : [message(readings)];
  const chunks: TelemetryReading[][] = [];
  for (let i = 0; i < readings.length; i += readingsPerMessage) chunks.push(readings.slice(i, i + readingsPerMessage));
  if (chunks.length === 0) chunks.push([]);
  const last = chunks[chunks.length - 1] ?? [];
  for (let i = 0; last.length < readingsPerMessage; i++) {
    last.push(padding[i] ?? { measurement_type: `padding_${i - padding.length}`, value: i, unit: 'count', quality: 'good' });
  }
  return chunks.map(message);
}
