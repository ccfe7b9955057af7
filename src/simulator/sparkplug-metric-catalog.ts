/** The Sparkplug metrics of one simulated edge node and its sensors: names, aliases, datatypes, units, writability. */
import { DataType, type MetricDataTypeId } from '../protocols/sparkplug/codec/index.ts';
import type { AttachedSensor } from './attached-sensor.ts';
import type { ConfigValue } from './sensor-model.ts';

/** One metric as announced in a BIRTH. */
export interface MetricDefinition {
  readonly name: string;
  /** Unique across the node and all its devices ([tck-id-payloads-alias-uniqueness]); absent for bdSeq and Node Control. */
  readonly alias?: bigint;
  readonly datatype: MetricDataTypeId;
  /** The `engUnit` property; `none` for dimensionless and text metrics. Absent for bdSeq and Node Control. */
  readonly engUnit?: string;
  /** NCMD/DCMD may write it. */
  readonly writable: boolean;
}

/** A sensor as a Sparkplug device: its device_id and metrics. */
export interface CatalogDevice {
  /** `{bus}:{address}`, lower case: the sensor hardware id is `{edge node id}/{device id}`. */
  readonly deviceId: string;
  readonly sensor: AttachedSensor;
  readonly metrics: readonly MetricDefinition[];
}

export const BD_SEQ = 'bdSeq';
/** engUnit of dimensionless and text metrics: never empty, since hardware schemas need a non-empty unit. */
export const NO_UNIT = 'none';
export const NODE_REBIRTH = 'Node Control/Rebirth';
export const NODE_REBOOT = 'Node Control/Reboot';
/** Device controls every simulated sensor announces: soft reset and calibration (the value is the reference, if any). */
export const DEVICE_RESET = 'Device Control/Reset';
export const DEVICE_CALIBRATE = 'Device Control/Calibrate';
/** Where the node is installed; the hub takes it as the device's zone. */
export const NODE_ZONE = 'Properties/Zone';

/** Node metrics after bdSeq and Node Control, in BIRTH order. */
const NODE_METRICS: readonly Omit<MetricDefinition, 'alias'>[] = [
  { name: 'Properties/Hardware Make', datatype: DataType.String, engUnit: NO_UNIT, writable: false },
  { name: 'Properties/Hardware Model', datatype: DataType.String, engUnit: NO_UNIT, writable: false },
  { name: 'Properties/Firmware Version', datatype: DataType.String, engUnit: NO_UNIT, writable: false },
  { name: 'Device/Uptime', datatype: DataType.UInt32, engUnit: 's', writable: false },
  { name: 'Device/Free Heap', datatype: DataType.UInt32, engUnit: 'By', writable: false },
  { name: 'Device/RSSI', datatype: DataType.Int32, engUnit: 'dBm', writable: false },
  { name: 'Device/CPU Temperature', datatype: DataType.Float, engUnit: 'Cel', writable: false },
  { name: 'Config/telemetry_interval_ms', datatype: DataType.UInt32, engUnit: 'ms', writable: true },
  { name: 'Config/lwm2m_interval_ms', datatype: DataType.UInt32, engUnit: 'ms', writable: true },
];

/** Units of the native readings as UCUM / SenML symbols, the same the LwM2M side puts in 5701. */
export const ENG_UNITS: Readonly<Record<string, string>> = { celsius: 'Cel', hPa: 'hPa', percent: '%', degrees: 'deg', rpm: 'rpm' };

/** Datatype and unit of each sensor configuration key the models know; others fall back to their JS type. */
const CONFIG_METRICS: Readonly<Record<string, { readonly datatype: MetricDataTypeId; readonly engUnit: string }>> = {
  pressure_oversampling: { datatype: DataType.Int32, engUnit: NO_UNIT },
  temperature_oversampling: { datatype: DataType.Int32, engUnit: NO_UNIT },
  iir_filter_pressure: { datatype: DataType.Int32, engUnit: NO_UNIT },
  iir_filter_temperature: { datatype: DataType.Int32, engUnit: NO_UNIT },
  output_data_rate: { datatype: DataType.Double, engUnit: 'Hz' },
  hysteresis_lsb: { datatype: DataType.Int32, engUnit: 'LSB' },
  slow_filter: { datatype: DataType.Int32, engUnit: NO_UNIT },
  fast_filter_threshold_lsb: { datatype: DataType.Int32, engUnit: 'LSB' },
  zero_position: { datatype: DataType.Int32, engUnit: 'LSB' },
  samples_averaged: { datatype: DataType.Int32, engUnit: NO_UNIT },
  settle_ms: { datatype: DataType.Int32, engUnit: 'ms' },
};

/** Metric name of a reading, e.g. `Sensors/temperature` (the last level is the hub measurement type). */
export function measurementMetric(measurementType: string): string {
  return `Sensors/${measurementType}`;
}

/** Metric name of a sensor configuration key, e.g. `Config/output_data_rate`. */
export function configMetric(key: string): string {
  return `Config/${key}`;
}

/**
 * Every metric of an edge node, numbered once so aliases stay the same across rebirths and reconnects:
 * node metrics from alias 1, then each sensor's in wiring order.
 */
export class SparkplugMetricCatalog {
  readonly node: readonly MetricDefinition[];
  readonly devices: readonly CatalogDevice[];

  /** `zone` adds a `Properties/Zone` node metric, numbered after every other metric so the others keep their aliases. */
  constructor(edgeNodeId: string, sensors: readonly AttachedSensor[], now: number, zone?: string) {
    let alias = 0n;
    const next = (): bigint => ++alias;
    this.node = [
      { name: BD_SEQ, datatype: DataType.Int64, writable: false },
      { name: NODE_REBIRTH, datatype: DataType.Boolean, writable: true },
      { name: NODE_REBOOT, datatype: DataType.Boolean, writable: true },
      ...NODE_METRICS.map((metric) => ({ ...metric, alias: next() })),
    ];
    this.devices = sensors.map((sensor) => {
      const metrics: MetricDefinition[] = [
        { name: 'Properties/Hardware Make', alias: next(), datatype: DataType.String, engUnit: NO_UNIT, writable: false },
        { name: 'Properties/Hardware Model', alias: next(), datatype: DataType.String, engUnit: NO_UNIT, writable: false },
        { name: DEVICE_RESET, alias: next(), datatype: DataType.Boolean, engUnit: NO_UNIT, writable: true },
        { name: DEVICE_CALIBRATE, alias: next(), datatype: DataType.Boolean, engUnit: NO_UNIT, writable: true },
      ];
      for (const reading of sensor.model.read(now)) {
        metrics.push({ name: measurementMetric(reading.measurement_type), alias: next(), datatype: DataType.Double, engUnit: ENG_UNITS[reading.unit] ?? reading.unit, writable: false });
      }
      for (const [key, value] of Object.entries(sensor.model.config())) {
        const known = CONFIG_METRICS[key] ?? { datatype: fallbackType(value), engUnit: NO_UNIT };
        metrics.push({ name: configMetric(key), alias: next(), ...known, writable: true });
      }
      return { deviceId: sensor.hardwareId.slice(edgeNodeId.length + 1), sensor, metrics };
    });
    if (zone !== undefined) this.node = [...this.node, { name: NODE_ZONE, alias: next(), datatype: DataType.String, engUnit: NO_UNIT, writable: false }];
  }

  device(deviceId: string): CatalogDevice | undefined {
    return this.devices.find((d) => d.deviceId === deviceId);
  }

  /** The metric a command names, by alias or by name ([tck-id-payloads-alias-data-cmd-requirement]). */
  static find(metrics: readonly MetricDefinition[], ref: { readonly name?: string; readonly alias?: bigint }): MetricDefinition | undefined {
    if (ref.alias !== undefined) return metrics.find((m) => m.alias === ref.alias);
    return ref.name === undefined ? undefined : metrics.find((m) => m.name === ref.name);
  }
}

function fallbackType(value: ConfigValue): MetricDataTypeId {
  if (typeof value === 'boolean') return DataType.Boolean;
  return typeof value === 'number' ? DataType.Double : DataType.String;
}
