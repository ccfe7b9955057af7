/**
 * Units of measure: UCUM codes (https://ucum.org/ucum) with readable names, the dimension each
 * measures and the affine map to that dimension's base unit, plus the spellings devices use for them.
 */

/** What a unit measures; units convert only within one dimension. */
export type Dimension =
  | 'temperature'
  | 'pressure'
  | 'ratio'
  | 'angle'
  | 'voltage'
  | 'current'
  | 'power'
  | 'energy'
  | 'illuminance'
  | 'speed'
  | 'length'
  | 'time'
  | 'frequency'
  | 'mass'
  | 'volume'
  | 'mass_concentration'
  | 'information'
  | 'level'
  | 'power_level';

/** One unit: `base = value × scale + offset` in the base unit of its dimension. */
export interface UnitDefinition {
  /** The UCUM code, case-sensitive (`Cel`, `[degF]`, `hPa`). */
  readonly code: string;
  readonly name: string;
  readonly dimension: Dimension;
  readonly scale: number;
  readonly offset: number;
  /** Other spellings seen from devices, matched case-insensitively (`celsius`, `°C`). */
  readonly aliases: readonly string[];
}

const u = (code: string, name: string, dimension: Dimension, scale: number, aliases: readonly string[] = [], offset = 0): UnitDefinition => ({
  code,
  name,
  dimension,
  scale,
  offset,
  aliases,
});

/** Every unit the hub knows; base units first in each dimension. */
export const UNITS: readonly UnitDefinition[] = [
  u('K', 'kelvin', 'temperature', 1, ['kelvin', 'kelvins', 'degk', '°k']),
  u('Cel', 'degree Celsius', 'temperature', 1, ['celsius', '°c', 'degc', 'deg c', 'c', '℃', 'centigrade', 'degrees celsius'], 273.15),
  u('[degF]', 'degree Fahrenheit', 'temperature', 5 / 9, ['fahrenheit', '°f', 'degf', 'deg f', 'f', '℉', 'degrees fahrenheit'], (459.67 * 5) / 9),
  u('Pa', 'pascal', 'pressure', 1, ['pascal', 'pascals']),
  u('hPa', 'hectopascal', 'pressure', 100, ['hectopascal', 'hectopascals']),
  u('kPa', 'kilopascal', 'pressure', 1_000, ['kilopascal', 'kilopascals']),
  u('mbar', 'millibar', 'pressure', 100, ['millibar', 'millibars', 'mb']),
  u('bar', 'bar', 'pressure', 100_000, ['bars']),
  u('[psi]', 'pound per square inch', 'pressure', 6_894.757293168361, ['psi']),
  u('mm[Hg]', 'millimetre of mercury', 'pressure', 133.322387415, ['mmhg', 'torr']),
  u('atm', 'standard atmosphere', 'pressure', 101_325),
  u('1', 'ratio', 'ratio', 1, ['ratio', 'fraction']),
  u('%', 'percent', 'ratio', 0.01, ['percent', 'pct', '%rh', '% rh', 'percent_rh', 'rh']),
  u('[ppm]', 'parts per million', 'ratio', 1e-6, ['ppm']),
  u('[ppb]', 'parts per billion', 'ratio', 1e-9, ['ppb']),
  u('rad', 'radian', 'angle', 1, ['radian', 'radians']),
  u('deg', 'degree (angle)', 'angle', Math.PI / 180, ['degree', 'degrees', '°']),
  u('V', 'volt', 'voltage', 1, ['volt', 'volts']),
  u('mV', 'millivolt', 'voltage', 1e-3, ['millivolt', 'millivolts']),
  u('kV', 'kilovolt', 'voltage', 1e3, ['kilovolt', 'kilovolts']),
  u('A', 'ampere', 'current', 1, ['amp', 'amps', 'ampere', 'amperes']),
  u('mA', 'milliampere', 'current', 1e-3, ['milliamp', 'milliamps', 'milliampere', 'milliamperes']),
  u('uA', 'microampere', 'current', 1e-6, ['µa', 'microamp', 'microamps']),
  u('W', 'watt', 'power', 1, ['watt', 'watts']),
  u('mW', 'milliwatt', 'power', 1e-3, ['milliwatt', 'milliwatts']),
  u('kW', 'kilowatt', 'power', 1e3, ['kilowatt', 'kilowatts']),
  u('J', 'joule', 'energy', 1, ['joule', 'joules']),
  u('Wh', 'watt hour', 'energy', 3_600, ['watt hour', 'watt hours']),
  u('kWh', 'kilowatt hour', 'energy', 3_600_000, ['kilowatt hour', 'kilowatt hours']),
  u('lx', 'lux', 'illuminance', 1, ['lux']),
  u('m/s', 'metre per second', 'speed', 1, ['mps', 'meters per second', 'metres per second']),
  u('km/h', 'kilometre per hour', 'speed', 1 / 3.6, ['kph', 'kmh']),
  u('[mi_i]/h', 'mile per hour', 'speed', 0.44704, ['mph']),
  u('[kn_i]', 'knot', 'speed', 1_852 / 3_600, ['knot', 'knots', 'kn', 'kt']),
  u('m', 'metre', 'length', 1, ['meter', 'meters', 'metre', 'metres']),
  u('cm', 'centimetre', 'length', 0.01, ['centimeter', 'centimeters']),
  u('mm', 'millimetre', 'length', 0.001, ['millimeter', 'millimeters']),
  u('km', 'kilometre', 'length', 1_000, ['kilometer', 'kilometers']),
  u('[in_i]', 'inch', 'length', 0.0254, ['in', 'inch', 'inches']),
  u('[ft_i]', 'foot', 'length', 0.3048, ['ft', 'foot', 'feet']),
  u('s', 'second', 'time', 1, ['sec', 'secs', 'second', 'seconds']),
  u('ms', 'millisecond', 'time', 1e-3, ['millisecond', 'milliseconds']),
  u('min', 'minute', 'time', 60, ['minute', 'minutes']),
  u('h', 'hour', 'time', 3_600, ['hr', 'hour', 'hours']),
  u('d', 'day', 'time', 86_400, ['day', 'days']),
  u('Hz', 'hertz', 'frequency', 1, ['hertz']),
  u('kHz', 'kilohertz', 'frequency', 1e3, ['kilohertz']),
  u('/min', 'revolutions per minute', 'frequency', 1 / 60, ['rpm', '{rpm}', 'r/min', 'per minute']),
  u('g', 'gram', 'mass', 1, ['gram', 'grams']),
  u('kg', 'kilogram', 'mass', 1_000, ['kilogram', 'kilograms']),
  u('mg', 'milligram', 'mass', 1e-3, ['milligram', 'milligrams']),
  u('L', 'litre', 'volume', 1, ['l', 'liter', 'liters', 'litre', 'litres']),
  u('mL', 'millilitre', 'volume', 1e-3, ['ml', 'milliliter', 'milliliters']),
  u('m3', 'cubic metre', 'volume', 1_000, ['m³', 'cubic meter', 'cubic meters']),
  u('ug/m3', 'microgram per cubic metre', 'mass_concentration', 1, ['µg/m3', 'µg/m³', 'ug/m³']),
  u('By', 'byte', 'information', 1, ['byte', 'bytes']),
  u('kBy', 'kilobyte', 'information', 1_000, ['kb', 'kilobyte', 'kilobytes']),
  u('dB', 'decibel', 'level', 1, ['db', 'decibel', 'decibels']),
  u('dB[mW]', 'decibel-milliwatt', 'power_level', 1, ['dbm']),
];

const BY_CODE = new Map<string, UnitDefinition>(UNITS.map((unit) => [unit.code, unit]));
const BY_ALIAS = new Map<string, UnitDefinition>();
for (const unit of UNITS) {
  for (const alias of unit.aliases) BY_ALIAS.set(alias, unit);
}

// UCUM codes typed in another case (`HPA`, `kpa`), where that names one code only.
const BY_FOLDED_CODE = new Map<string, UnitDefinition>();
for (const unit of UNITS) {
  const folded = unit.code.toLowerCase();
  if (UNITS.filter((other) => other.code.toLowerCase() === folded).length === 1) BY_FOLDED_CODE.set(folded, unit);
}

/**
 * The unit a device's unit text stands for: the UCUM code as written (case-sensitive: `mV` ≠ `MV`),
 * else a known spelling (case-insensitive: `celsius`, `°C`, `percent`), else the code in another
 * case where that is unambiguous (`HPA`); undefined when unknown.
 */
export function findUnit(text: string): UnitDefinition | undefined {
  const exact = BY_CODE.get(text);
  if (exact !== undefined) return exact;
  const folded = text.trim().toLowerCase();
  return BY_ALIAS.get(folded) ?? BY_CODE.get(text.trim()) ?? BY_FOLDED_CODE.get(folded);
}

/** A value converter `v ↦ v × scale + offset`; identity when scale is 1 and offset 0. */
export interface Conversion {
  readonly scale: number;
  readonly offset: number;
}

export const IDENTITY: Conversion = { scale: 1, offset: 0 };

/** How to convert values from one unit to another of the same dimension; undefined when they differ. */
export function conversionBetween(from: UnitDefinition, to: UnitDefinition): Conversion | undefined {
  if (from.dimension !== to.dimension) return undefined;
  if (from.code === to.code) return IDENTITY;
  // base = v·s₁ + o₁; target = (base − o₂) / s₂
  return { scale: from.scale / to.scale, offset: (from.offset - to.offset) / to.scale };
}

/**
 * Apply a conversion, rounded to 12 significant digits of its larger term so float noise does not
 * show: 212 °F reads 100 °C (not 100.00000000000001) and 32 °F reads 0 °C (not 7e-15).
 */
export function convertValue(value: number, conversion: Conversion): number {
  if (conversion === IDENTITY || (conversion.scale === 1 && conversion.offset === 0)) return value;
  const scaled = value * conversion.scale;
  const result = scaled + conversion.offset;
  const magnitude = Math.max(Math.abs(scaled), Math.abs(conversion.offset));
  if (magnitude === 0 || !Number.isFinite(result)) return result;
  const digits = Math.min(300, 12 - Math.ceil(Math.log10(magnitude)));
  const factor = 10 ** digits;
  return Math.round(result * factor) / factor + 0; // + 0 turns -0 into 0
}
