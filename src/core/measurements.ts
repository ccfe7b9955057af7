/**
 * The measurement vocabulary: one canonical name and one canonical unit per quantity, and the rules
 * that map each protocol's names onto it (native names, IPSO object/resource ids, Sparkplug metric
 * paths). See docs/measurements.md.
 */
import { findUnit, type Dimension } from './units.ts';

/** One quantity of the vocabulary. */
export interface Quantity {
  /** Canonical measurement name, snake_case (`temperature`). */
  readonly name: string;
  readonly label: string;
  readonly dimension: Dimension;
  /** UCUM code of the canonical unit: series in mixed units of this quantity are combined in it (`Cel`). */
  readonly unit: string;
  /** Other names devices use for it, matched after snake-casing (`temp`, `barometric_pressure`). */
  readonly aliases: readonly string[];
}

const q = (name: string, label: string, dimension: Dimension, unit: string, aliases: readonly string[] = []): Quantity => ({
  name,
  label,
  dimension,
  unit,
  aliases,
});

/** Every quantity the hub knows. */
export const QUANTITIES: readonly Quantity[] = [
  q('temperature', 'Temperature', 'temperature', 'Cel', ['temp', 'air_temperature']),
  q('cpu_temperature', 'CPU temperature', 'temperature', 'Cel', ['mcu_temperature', 'chip_temperature']),
  q('humidity', 'Relative humidity', 'ratio', '%', ['relative_humidity', 'rh']),
  q('pressure', 'Pressure', 'pressure', 'hPa', ['barometric_pressure', 'air_pressure', 'atmospheric_pressure', 'barometer']),
  q('soil_moisture', 'Soil moisture', 'ratio', '%', ['soil_humidity']),
  q('angle', 'Angle', 'angle', 'deg', []),
  q('rotation_speed', 'Rotation speed', 'frequency', '/min', ['rpm', 'angular_speed']),
  q('latitude', 'Latitude', 'angle', 'deg', ['lat']),
  q('longitude', 'Longitude', 'angle', 'deg', ['lon', 'lng']),
  q('altitude', 'Altitude', 'length', 'm', []),
  q('distance', 'Distance', 'length', 'm', []),
  q('voltage', 'Voltage', 'voltage', 'V', ['supply_voltage', 'power_source_voltage']),
  q('current', 'Current', 'current', 'A', ['power_source_current']),
  q('power', 'Power', 'power', 'W', ['active_power']),
  q('energy', 'Energy', 'energy', 'Wh', ['cumulative_active_power']),
  q('illuminance', 'Illuminance', 'illuminance', 'lx', ['light', 'lux', 'luminosity', 'ambient_light']),
  q('wind_speed', 'Wind speed', 'speed', 'm/s', []),
  q('battery_level', 'Battery level', 'ratio', '%', ['battery']),
  q('co2', 'CO₂ concentration', 'ratio', '[ppm]', ['carbon_dioxide']),
  q('pm2_5', 'PM2.5 concentration', 'mass_concentration', 'ug/m3', ['pm25']),
  q('signal_strength', 'Signal strength', 'power_level', 'dB[mW]', ['rssi', 'radio_signal_strength']),
  q('frequency', 'Frequency', 'frequency', 'Hz', []),
];

const BY_NAME = new Map<string, Quantity>();
for (const quantity of QUANTITIES) {
  BY_NAME.set(quantity.name, quantity);
  for (const alias of quantity.aliases) BY_NAME.set(alias, quantity);
}

/** `Battery Level` → `battery_level`, `PM2.5` → `pm2_5`. */
export function snakeCase(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * IPSO Smart Object value resources (OMA LwM2M registry) → quantity; the unit is the one 5701 Sensor
 * Units reports, else the registry's, else the one listed here.
 */
export const IPSO_QUANTITIES: ReadonlyMap<string, { readonly quantity: string; readonly unit: string }> = new Map([
  ['3301/5700', { quantity: 'illuminance', unit: 'lx' }],
  ['3303/5700', { quantity: 'temperature', unit: 'Cel' }],
  ['3304/5700', { quantity: 'humidity', unit: '%' }],
  ['3315/5700', { quantity: 'pressure', unit: 'hPa' }],
  ['3316/5700', { quantity: 'voltage', unit: 'V' }],
  ['3317/5700', { quantity: 'current', unit: 'A' }],
  ['3323/5700', { quantity: 'pressure', unit: 'Pa' }],
  ['3328/5700', { quantity: 'power', unit: 'W' }],
  ['3330/5700', { quantity: 'distance', unit: 'm' }],
  ['3331/5700', { quantity: 'energy', unit: 'Wh' }],
  ['3336/5514', { quantity: 'latitude', unit: 'deg' }],
  ['3336/5515', { quantity: 'longitude', unit: 'deg' }],
  ['3/7', { quantity: 'voltage', unit: 'mV' }],
  ['3/9', { quantity: 'battery_level', unit: '%' }],
]);

/** The quantity an IPSO object's resource carries, e.g. (3303, 5700) → temperature in Cel. */
export function ipsoQuantity(objectId: number, resourceId: number): { quantity: Quantity; unit: string } | undefined {
  const entry = IPSO_QUANTITIES.get(`${objectId}/${resourceId}`);
  const quantity = entry === undefined ? undefined : BY_NAME.get(entry.quantity);
  return entry === undefined || quantity === undefined ? undefined : { quantity, unit: entry.unit };
}

/**
 * Folders of a Sparkplug metric path that only group measurements (`Sensors/temperature`); a metric
 * whose folders are all generic takes the quantity its last segment names. Other folders
 * (`Inlet/temperature`, `Outlet/temperature`) name distinct series and keep the full path.
 */
export const GENERIC_FOLDERS: ReadonlySet<string> = new Set(['sensors', 'sensor', 'measurements', 'measurement', 'telemetry', 'inputs', 'values', 'data', 'device', 'node']);

const IPSO_PATH = /^\/?(\d+)\/(?:\d+\/)?(\d+)$|^lwm2m_(\d+)_(\d+)$/;

/**
 * The quantity a measurement name stands for, by the first rule that matches:
 * 1. the canonical name or an alias, after snake-casing a name without `/` (`Temperature`, `temp`,
 *    `barometric_pressure`);
 * 2. an IPSO path or the LwM2M adapter's fallback name (`3303/0/5700`, `/3303/5700`, `lwm2m_3303_5700`);
 * 3. a Sparkplug path whose folders are all {@link GENERIC_FOLDERS} and whose last segment is rule 1
 *    (`Sensors/temperature`, `Device/CPU Temperature`).
 */
export function findQuantity(name: string): { quantity: Quantity; defaultUnit?: string } | undefined {
  const direct = BY_NAME.get(name) ?? (name.includes('/') ? undefined : BY_NAME.get(snakeCase(name)));
  if (direct !== undefined) return { quantity: direct };
  const ipso = IPSO_PATH.exec(name);
  if (ipso !== null) {
    const found = ipsoQuantity(Number(ipso[1] ?? ipso[3]), Number(ipso[2] ?? ipso[4]));
    return found === undefined ? undefined : { quantity: found.quantity, defaultUnit: found.unit };
  }
  if (!name.includes('/')) return undefined;
  const segments = name.split('/');
  const last = BY_NAME.get(snakeCase(segments.at(-1) ?? ''));
  if (last === undefined) return undefined;
  return segments.slice(0, -1).every((folder) => GENERIC_FOLDERS.has(snakeCase(folder))) ? { quantity: last } : undefined;
}

const canonicalNames = new Map<string, string>();

/** The canonical name for a measurement name (unchanged when it names no known quantity); memoised. */
export function canonicalName(name: string): string {
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    if (canonicalNames.size >= 10_000) canonicalNames.clear(); // names are device-chosen: stay bounded
    canonical = findQuantity(name)?.quantity.name ?? name;
    canonicalNames.set(name, canonical);
  }
  return canonical;
}

/** What one (name, unit) pair maps to. */
export interface MeasurementMapping {
  readonly measurement: string;
  readonly unit: string | undefined;
  /** True when name and unit stay as reported. */
  readonly identity: boolean;
}

/**
 * Map a reported (name, unit) to the vocabulary. Values are never changed here: a reading is stored
 * as the device reported it, in its own unit spelled as UCUM, and converted when a query combines it
 * with other units or asks for a unit (docs/measurements.md, "Why values are not converted at ingest").
 * - A known quantity takes its canonical name (`Sensors/temperature` → `temperature`), an unknown
 *   name is kept as reported.
 * - A known unit is spelled as its UCUM code (`celsius` → `Cel`, `°F` → `[degF]`); an unknown one is
 *   kept as reported and only ever combined with the same text. No unit stays no unit, except for an
 *   IPSO path, which takes the registry's unit.
 */
export function mapMeasurement(name: string, unit: string | undefined): MeasurementMapping {
  const found = findQuantity(name);
  const reported = unit === undefined || unit === '' ? found?.defaultUnit : unit;
  const canonicalUnit = reported === undefined ? undefined : (findUnit(reported)?.code ?? reported);
  const measurement = found?.quantity.name ?? name;
  return { measurement, unit: canonicalUnit, identity: measurement === name && canonicalUnit === unit };
}
