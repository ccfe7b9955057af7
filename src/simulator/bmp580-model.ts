/** Bosch BMP580 model: greenhouse air temperature with a day cycle, pressure drifting with weather fronts. */
import { applyPatch, type FieldSpec } from './config-validation.ts';
import { DeviceRpcError } from './device-rpc-error.ts';
import { clamp, diurnalTemperature, GREENHOUSE_DIURNAL, localHour, type DiurnalProfile } from './diurnal.ts';
import { hashNormal, valueNoise } from './random.ts';
import {
  roundTo,
  type CalibrationRequest,
  type ConfigValue,
  type JsonObject,
  type SensorCalibration,
  type SensorHealth,
  type SensorModel,
  type SensorReading,
} from './sensor-model.ts';

const HOUR_MS = 3_600_000;
/** Datasheet data formats: TEMP_DATA is signed 24-bit in 1/2^16 °C, PRESS_DATA unsigned 24-bit in 1/2^6 Pa. */
const TEMP_LSB_PER_C = 65_536;
const PRESS_LSB_PER_PA = 64;
const CHIP_ID = 0x50;

export const BMP580_OVERSAMPLING = [1, 2, 4, 8, 16, 32, 64, 128] as const;
/** Datasheet ODR table for normal mode, Hz. */
export const BMP580_ODR_HZ = [
  240, 218.5, 199.1, 179.2, 160, 149.3, 140, 129.8, 120, 110.1, 100.2, 89.6, 80, 70, 60, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 4, 3, 2, 1, 0.5, 0.25, 0.125,
] as const;
export const BMP580_POWER_MODES = ['deep_standby', 'standby', 'normal', 'forced', 'continuous'] as const;
export const BMP580_IIR_COEFFICIENTS = [0, 1, 3, 7, 15, 31, 63, 127] as const;

/** Units of the readings; the static schema (sensor-schemas.ts) declares the same. */
export const BMP580_UNITS = { temperature: 'celsius', pressure: 'hPa' } as const;

/** Physical setting of a simulated BMP580. */
export interface Bmp580Options {
  readonly seed: number;
  /** Air temperature cycle; default a greenhouse (14 °C at 05:00, 28 °C at 15:00). */
  readonly diurnal?: Partial<DiurnalProfile>;
  /** Mean sea-level pressure in hPa (default 1013.25). */
  readonly basePressureHpa?: number;
  /** How far weather fronts move the pressure, ± hPa (default 10). */
  readonly frontAmplitudeHpa?: number;
  /** Height above sea level in m (default 0): the sensor reads station pressure. */
  readonly altitudeM?: number;
}

/** Settings, named as in the static schema's `configuration_options`. */
export interface Bmp580Config {
  pressure_oversampling: number;
  temperature_oversampling: number;
  iir_filter_pressure: number;
  iir_filter_temperature: number;
  output_data_rate: number;
  power_mode: (typeof BMP580_POWER_MODES)[number];
}

/** What the firmware sets at boot: high-resolution preset, 10 Hz normal mode. */
export const BMP580_DEFAULT_CONFIG: Readonly<Bmp580Config> = {
  pressure_oversampling: 16,
  temperature_oversampling: 2,
  iir_filter_pressure: 0,
  iir_filter_temperature: 0,
  output_data_rate: 10,
  power_mode: 'normal',
};

const FIELDS: Record<keyof Bmp580Config, FieldSpec> = {
  pressure_oversampling: { type: 'enum', values: BMP580_OVERSAMPLING },
  temperature_oversampling: { type: 'enum', values: BMP580_OVERSAMPLING },
  iir_filter_pressure: { type: 'enum', values: BMP580_IIR_COEFFICIENTS },
  iir_filter_temperature: { type: 'enum', values: BMP580_IIR_COEFFICIENTS },
  output_data_rate: { type: 'enum', values: BMP580_ODR_HZ },
  power_mode: { type: 'enum', values: BMP580_POWER_MODES },
};

interface Sample {
  readonly rawTemp: number;
  readonly rawPress: number;
}

/** A BMP580 on an I2C bus. Values are pure functions of (seed, conversion instant, configuration). */
export class Bmp580Model implements SensorModel {
  readonly kind = 'bmp580' as const;
  readonly #seed: number;
  readonly #profile: DiurnalProfile;
  readonly #basePressureHpa: number;
  readonly #frontAmplitudeHpa: number;
  readonly #altitudeFactor: number;
  #config: Bmp580Config = { ...BMP580_DEFAULT_CONFIG };
  /** Offsets added to the outputs, in °C and hPa. */
  #offsets = { temperature: 0, pressure: 0 };
  /** Instant of the last conversion: the data registers keep it while the sensor sleeps. */
  #lastConversion: number | null = null;

  constructor(options: Bmp580Options) {
    this.#seed = options.seed >>> 0;
    this.#profile = { ...GREENHOUSE_DIURNAL, ...options.diurnal };
    this.#basePressureHpa = options.basePressureHpa ?? 1013.25;
    this.#frontAmplitudeHpa = options.frontAmplitudeHpa ?? 10;
    // International barometric formula.
    this.#altitudeFactor = Math.pow(1 - 2.25577e-5 * (options.altitudeM ?? 0), 5.25588);
  }

  /** Noise-free air temperature in °C at `timeMs`. */
  trueTemperature(timeMs: number): number {
    return diurnalTemperature(this.#seed, timeMs, this.#profile);
  }

  /** Noise-free station pressure in hPa at `timeMs`: fronts over hours to days plus the 12-hour atmospheric tide. */
  truePressure(timeMs: number): number {
    const fronts = 0.7 * valueNoise(this.#seed ^ 0xf407, timeMs, 36 * HOUR_MS) + 0.3 * valueNoise(this.#seed ^ 0xf408, timeMs, 9 * HOUR_MS);
    // Semi-diurnal tide: maxima near 10:00 and 22:00 local time, ±0.5 hPa.
    const tide = 0.5 * Math.cos((2 * Math.PI * (localHour(timeMs, this.#profile.utcOffsetMinutes) - 10)) / 12);
    return (this.#basePressureHpa + this.#frontAmplitudeHpa * clamp(fronts / 0.8, -1, 1) + tide) * this.#altitudeFactor;
  }

  read(timeMs: number): SensorReading[] {
    const sample = this.#sample(timeMs);
    const quality = sample === null ? 'bad' : this.#sleeping() ? 'uncertain' : 'good';
    const rawTemp = sample?.rawTemp ?? 0;
    const rawPress = sample?.rawPress ?? 0;
    return [
      { measurement_type: 'temperature', value: roundTo(rawTemp / TEMP_LSB_PER_C + this.#offsets.temperature, 2), unit: BMP580_UNITS.temperature, quality },
      { measurement_type: 'pressure', value: roundTo(rawPress / PRESS_LSB_PER_PA / 100 + this.#offsets.pressure, 4), unit: BMP580_UNITS.pressure, quality },
    ];
  }

  readRaw(timeMs: number): JsonObject {
    const sample = this.#sample(timeMs) ?? { rawTemp: 0, rawPress: 0 };
    const temp24 = sample.rawTemp & 0xffffff; // two's complement in 24 bits
    return {
      chip_id: CHIP_ID,
      temp_data: sample.rawTemp,
      press_data: sample.rawPress,
      registers: { '0x1D': temp24 & 0xff, '0x1E': (temp24 >> 8) & 0xff, '0x1F': temp24 >> 16, '0x20': sample.rawPress & 0xff, '0x21': (sample.rawPress >> 8) & 0xff, '0x22': sample.rawPress >> 16 },
      temp_lsb_per_celsius: TEMP_LSB_PER_C,
      press_lsb_per_pascal: PRESS_LSB_PER_PA,
    };
  }

  config(): Record<string, ConfigValue> {
    return { ...this.#config };
  }

  configure(patch: JsonObject): Record<string, ConfigValue> {
    this.#config = applyPatch(this.#config, patch, FIELDS, 'BMP580');
    return this.config();
  }

  powerMode(): string {
    return this.#config.power_mode;
  }

  /** `offset` (default): reference `{pressure?: hPa, temperature?: °C}` or a pressure in hPa. `factory`: drop the offsets. */
  calibrate(timeMs: number, request: CalibrationRequest): JsonObject {
    const method = request.method ?? 'offset';
    if (method === 'factory' || method === 'reset') {
      this.#offsets = { temperature: 0, pressure: 0 };
    } else if (method === 'offset') {
      const reference = parseReference(request.reference);
      if (reference === undefined) {
        throw DeviceRpcError.invalidParams('Calibration reference missing: BMP580', [
          { path: 'reference', message: 'give a pressure in hPa, or {pressure?: hPa, temperature?: °C} read from a reference instrument' },
        ]);
      }
      this.#offsets = { temperature: 0, pressure: 0 };
      const [temperature, pressure] = this.read(timeMs);
      this.#offsets = {
        temperature: reference.temperature === undefined ? 0 : roundTo(reference.temperature - Number(temperature?.value), 2),
        pressure: reference.pressure === undefined ? 0 : roundTo(reference.pressure - Number(pressure?.value), 4),
      };
    } else {
      throw DeviceRpcError.invalidParams('Unsupported calibration method: BMP580', [{ path: 'method', message: 'must be "offset" or "factory"' }]);
    }
    const calibration = this.calibration();
    return { calibration_status: calibration.status, method: calibration.method, offsets: { ...this.#offsets } };
  }

  calibration(): SensorCalibration {
    const factory = this.#offsets.temperature === 0 && this.#offsets.pressure === 0;
    return { status: 'calibrated', method: factory ? 'factory' : 'offset', offsets: { ...this.#offsets } };
  }

  reset(): void {
    this.#config = { ...BMP580_DEFAULT_CONFIG };
    this.#offsets = { temperature: 0, pressure: 0 };
    this.#lastConversion = null;
  }

  health(): SensorHealth {
    const { osrT, osrP, odrHz } = this.#effective();
    const maxOdr = 1000 / conversionMs(osrT, osrP);
    const sleeping = this.#sleeping();
    const currentUa = this.#config.power_mode === 'deep_standby' ? 0.55 : sleeping ? 1.3 : 1.3 + Math.min(odrHz, maxOdr) * (osrT + osrP) * 0.35;
    return {
      status: odrHz <= maxOdr || this.#config.power_mode !== 'normal' ? 'ok' : 'degraded',
      diagnostics: {
        chip_id: CHIP_ID,
        odr_valid: odrHz <= maxOdr,
        effective_odr_hz: sleeping ? 0 : roundTo(Math.min(odrHz, maxOdr), 3),
        current_ua: roundTo(currentUa, 2),
        noise_rms_temperature_c: roundTo(0.008 / Math.sqrt(osrT) / this.#filter('temperature'), 5),
        noise_rms_pressure_pa: roundTo(0.8 / Math.sqrt(osrP) / this.#filter('pressure'), 4),
      },
    };
  }

  #sleeping(): boolean {
    return this.#config.power_mode === 'standby' || this.#config.power_mode === 'deep_standby';
  }

  #effective(): { osrT: number; osrP: number; odrHz: number } {
    return { osrT: this.#config.temperature_oversampling, osrP: this.#config.pressure_oversampling, odrHz: this.#config.output_data_rate };
  }

  /** Noise reduction of the IIR filter: a first-order low-pass with coefficient c keeps 1/(2c+1) of the variance. */
  #filter(channel: 'temperature' | 'pressure'): number {
    const c = channel === 'temperature' ? this.#config.iir_filter_temperature : this.#config.iir_filter_pressure;
    return Math.sqrt(2 * c + 1);
  }

  /** The conversion the data registers hold at `timeMs`, or null before the first one. */
  #sample(timeMs: number): Sample | null {
    const { osrT, osrP, odrHz } = this.#effective();
    let at: number | null;
    if (this.#sleeping()) at = this.#lastConversion;
    else if (this.#config.power_mode === 'forced' || this.#config.power_mode === 'continuous') at = timeMs;
    else {
      const periodMs = Math.max(1000 / odrHz, conversionMs(osrT, osrP));
      at = Math.floor(timeMs / periodMs) * periodMs;
    }
    if (at === null) return null;
    this.#lastConversion = at;
    const tC = this.trueTemperature(at) + ((0.008 / Math.sqrt(osrT)) * hashNormal(this.#seed, at, 1)) / this.#filter('temperature');
    const pPa = this.truePressure(at) * 100 + ((0.8 / Math.sqrt(osrP)) * hashNormal(this.#seed, at, 2)) / this.#filter('pressure');
    return {
      rawTemp: clamp(Math.round(tC * TEMP_LSB_PER_C), -0x800000, 0x7fffff),
      rawPress: clamp(Math.round(pPa * PRESS_LSB_PER_PA), 0, 0xffffff),
    };
  }
}

/** Approximate conversion time in ms for the given oversampling rates (about 1 ms at 1X/1X). */
function conversionMs(osrT: number, osrP: number): number {
  return 0.5 + 0.25 * (osrT + osrP);
}

function parseReference(reference: unknown): { temperature?: number; pressure?: number } | undefined {
  if (typeof reference === 'number' && Number.isFinite(reference)) return { pressure: reference };
  if (typeof reference !== 'object' || reference === null) return undefined;
  const { temperature, pressure } = reference as { temperature?: unknown; pressure?: unknown };
  const out: { temperature?: number; pressure?: number } = {};
  if (typeof temperature === 'number' && Number.isFinite(temperature)) out.temperature = temperature;
  if (typeof pressure === 'number' && Number.isFinite(pressure)) out.pressure = pressure;
  return out.temperature === undefined && out.pressure === undefined ? undefined : out;
}
