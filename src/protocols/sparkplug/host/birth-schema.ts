// Static hardware schemas built from an NBIRTH (mcu-static 1.0.0) or DBIRTH (sensor-static 1.0.0).
//
// manufacturer / model come from the conventional `Properties/Hardware Make` and
// `Properties/Hardware Model` metrics (as Eclipse Tahu's examples publish them); without them a
// device another protocol already described keeps its manufacturer and model, else placeholders.
// Everything Sparkplug-specific sits in the top-level extension field `sparkplug`.

import type { Device, JsonObject } from '../../../core/device.ts';
import type { SparkplugMetricValue } from '../codec/types.ts';
import { datatypeLabel, type MetricCatalog } from './metric-catalog.ts';
import { isMeasurementName, isStorableDatatype, toPointValue } from './metric-points.ts';

export const HARDWARE_MAKE = 'Properties/Hardware Make';
export const HARDWARE_MODEL = 'Properties/Hardware Model';
/** NBIRTH String metric naming where the node is installed; it becomes the device's zone unless an operator set one. */
export const ZONE_PROPERTY = 'Properties/Zone';
/** Placeholders when neither the BIRTH nor another protocol named the hardware. */
export const UNKNOWN_MANUFACTURER = 'unknown';
export const NODE_MODEL = 'Sparkplug edge node';
export const DEVICE_MODEL = 'Sparkplug device';
/** `unit` of a measurement whose BIRTH metric had no `engUnit` (sensor-static needs a non-empty unit). */
export const NO_UNIT = 'none';
/** Static schema version the documents follow. */
export const BIRTH_SCHEMA_VERSION = '1.0.0';

/** Where a BIRTH came from. */
export interface BirthOrigin {
  readonly groupId: string;
  readonly edgeNodeId: string;
  /** Present for a DBIRTH. */
  readonly deviceId?: string;
}

/** The value of each BIRTH metric, by name (to read properties from). */
export type BirthValues = ReadonlyMap<string, SparkplugMetricValue>;

function text(value: SparkplugMetricValue | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The zone an NBIRTH announces in `Properties/Zone`, if any. */
export function birthZone(values: BirthValues): string | undefined {
  return text(values.get(ZONE_PROPERTY));
}

/** Keep what another protocol said about the device unless the BIRTH says otherwise. */
function fromOtherProtocols(existing: Device | undefined, field: 'manufacturer' | 'model', placeholder: string): string {
  if (existing === undefined || !existing.protocols.some((p) => p !== 'sparkplug')) return placeholder;
  const value = existing[field];
  return value !== '' && value !== UNKNOWN_MANUFACTURER ? value : placeholder;
}

/** The `sparkplug` extension: origin, every BIRTH metric (name, datatype, alias, unit) and the Properties/* values. */
function extension(origin: BirthOrigin, catalog: MetricCatalog, values: BirthValues): JsonObject {
  const metrics: JsonObject[] = [];
  const properties: JsonObject = {};
  for (const definition of catalog.definitions()) {
    metrics.push({
      name: definition.name,
      datatype: datatypeLabel(definition),
      ...(definition.alias !== undefined && { alias: toPointValue(definition.alias) }),
      ...(definition.engUnit !== undefined && { eng_unit: definition.engUnit }),
    });
    const value = values.get(definition.name);
    if (definition.name.startsWith('Properties/') && value !== undefined) {
      const scalar = toPointValue(value);
      if (scalar !== undefined) properties[definition.name.slice('Properties/'.length)] = scalar;
    }
  }
  return {
    group_id: origin.groupId,
    edge_node_id: origin.edgeNodeId,
    ...(origin.deviceId !== undefined && { device_id: origin.deviceId }),
    metrics,
    ...(Object.keys(properties).length > 0 && { properties }),
  };
}

/** What the BIRTH measures: its storable, non-control metrics, with `engUnit` as the unit. */
function measurements(catalog: MetricCatalog): JsonObject[] {
  const out: JsonObject[] = [];
  for (const definition of catalog.definitions()) {
    if (!isMeasurementName(definition.name) || !isStorableDatatype(definition.datatype)) continue;
    out.push({ measurement_type: definition.name, unit: definition.engUnit ?? NO_UNIT, description: `Sparkplug ${datatypeLabel(definition)} metric` });
  }
  return out;
}

/** mcu-static document of an edge node from its NBIRTH; `measurements` is a top-level extension here. */
export function nodeStaticSchema(origin: BirthOrigin, catalog: MetricCatalog, values: BirthValues, existing: Device | undefined): JsonObject {
  return {
    manufacturer: text(values.get(HARDWARE_MAKE)) ?? fromOtherProtocols(existing, 'manufacturer', UNKNOWN_MANUFACTURER),
    model: text(values.get(HARDWARE_MODEL)) ?? fromOtherProtocols(existing, 'model', NODE_MODEL),
    hardware_id: origin.edgeNodeId,
    measurements: measurements(catalog),
    sparkplug: extension(origin, catalog, values),
  };
}

/** sensor-static document of a Sparkplug device from its DBIRTH. */
export function deviceStaticSchema(origin: BirthOrigin, catalog: MetricCatalog, values: BirthValues, existing: Device | undefined): JsonObject {
  return {
    manufacturer: text(values.get(HARDWARE_MAKE)) ?? fromOtherProtocols(existing, 'manufacturer', UNKNOWN_MANUFACTURER),
    model: text(values.get(HARDWARE_MODEL)) ?? fromOtherProtocols(existing, 'model', DEVICE_MODEL),
    measurements: measurements(catalog),
    sparkplug: extension(origin, catalog, values),
  };
}

/** Hardware id of a Sparkplug device: `{edge_node_id}/{device_id}` (neither may contain `/`, §4.1.1). */
export function sparkplugDeviceHardwareId(edgeNodeId: string, deviceId: string): string {
  return `${edgeNodeId}/${deviceId}`;
}
