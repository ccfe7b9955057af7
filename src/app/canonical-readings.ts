/**
 * Readings inside a device's answer (sensor.health) in canonical form: one mapping, here, for every
 * protocol — native `celsius`, Sparkplug `Sensors/temperature`, IPSO 3303 all read `temperature` / `Cel`.
 */
import type { Device } from '../core/device.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';
import type { HubServices } from './services.ts';

type Json = Record<string, unknown>;

/**
 * `answer.readings` with each reading's `measurement_type` and `unit` canonical (docs/measurements.md),
 * the reported ones kept as `source_measurement` / `source_unit`; every other field as answered.
 * An answer without a readings array, and readings without a string `measurement_type`, are left alone.
 */
export function withCanonicalReadings(services: HubServices, device: Device, answer: unknown): unknown {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return answer;
  const readings = (answer as Json)['readings'];
  if (!Array.isArray(readings)) return answer;
  return { ...(answer as Json), readings: readings.map((reading: unknown) => canonicalReading(services, device, reading)) };
}

function canonicalReading(services: HubServices, device: Device, reading: unknown): unknown {
  if (reading === null || typeof reading !== 'object' || Array.isArray(reading)) return reading;
  const r = reading as Json;
  const name = r['measurement_type'];
  if (typeof name !== 'string') return reading;
  const unit = typeof r['unit'] === 'string' ? r['unit'] : undefined;
  // Only name and unit are mapped: the value stays as answered (no conversion at ingest, docs/measurements.md).
  const point: TelemetryPoint = { deviceId: device.id, measurement: name, ts: 0, value: 0, ...(unit === undefined ? {} : { unit }) };
  const [mapped] = services.pipeline.canonical([point]);
  if (mapped === undefined) return reading;
  const sourceUnit = mapped.sourceUnit ?? unit;
  return {
    ...r,
    measurement_type: mapped.measurement,
    ...(mapped.unit === undefined ? {} : { unit: mapped.unit }),
    source_measurement: typeof r['source_measurement'] === 'string' ? r['source_measurement'] : (mapped.sourceMeasurement ?? name),
    ...(typeof r['source_unit'] === 'string' || sourceUnit === undefined ? {} : { source_unit: sourceUnit }),
  };
}
