/** Analog soil-moisture probe model: soil that dries faster in daytime heat and is re-wetted at watering events. */
import { applyPatch, type FieldSpec } from './config-validation.ts';
import { DeviceRpcError } from './device-rpc-error.ts';
import { clamp, GREENHOUSE_DIURNAL, heatFraction, type DiurnalProfile } from './diurnal.ts';
import { hash01, hashNormal } from './random.ts';
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
/** Watering slots are counted from this instant, so schedules do not depend on when a device started. */
const ORIGIN_MS = Date.UTC(2025, 0, 1);
const INTEGRATION_STEP_MS = 10 * 60_000;
/** Water soaks in with this time constant after a watering starts. */
const INFILTRATION_MS = 2 * 60_000;
/** How many past slots to search for the last watering that happened. */
const MAX_SKIPPED_SLOTS = 20;

export const SOIL_POWER_MODES = ['continuous', 'low_power'] as const;
export const SOIL_SAMPLE_COUNTS = [1, 2, 4, 8, 16, 32] as const;
export const SOIL_UNITS = { soil_moisture: 'percent' } as const;

/**
 * Soil, schedule and wiring of a simulated probe.
 *
 * Wiring (`dryHigh`): a resistive probe such as Adafruit's 4026 wired as a voltage divider reads LOW in
 * dry soil and HIGH in wet soil (water conducts), which is the default. A capacitive probe (v1.2 style)
 * reads HIGH when dry and LOW when wet: set `dryHigh: true`. Calibration works the same for both.
 */
export interface SoilMoistureOptions {
  readonly seed: number;
  /** Air temperature cycle that drives evaporation (default: the greenhouse profile). */
  readonly diurnal?: Partial<DiurnalProfile>;
  /** Scheduled watering period in ms (default 12 h). */
  readonly wateringIntervalMs?: number;
  /** How far (0–1 of the period) each watering wanders from the start of its slot (default 0.3). */
  readonly wateringJitter?: number;
  /** Chance (0–1) that a scheduled watering happens (default 1: always). */
  readonly wateringProbability?: number;
  /** Volumetric water content (%) right after watering (default 42). */
  readonly fieldCapacity?: number;
  /** Volumetric water content (%) the soil dries towards (default 8). */
  readonly residual?: number;
  /** Volumetric water content (%) of saturated soil: the probe's "in water" reading (default 50). */
  readonly saturation?: number;
  /** Drying rate per hour at the coolest hour; the hottest hour dries 5× faster (default 0.03). */
  readonly dryingPerHour?: number;
  /** ADC resolution of the MCU pin (default 12). */
  readonly adcBits?: number;
  /** true for capacitive probes (dry reads high); default false (resistive: dry reads low). */
  readonly dryHigh?: boolean;
}

/** Settings, named as in the static schema's `configuration_options`. */
export interface SoilConfig {
  /** `continuous`: probe always powered. `low_power`: powered from a GPIO only while sampling. */
  power_mode: (typeof SOIL_POWER_MODES)[number];
  samples_averaged: number;
  /** Wait after switching the probe on before sampling (low_power only). */
  settle_ms: number;
}

export const SOIL_DEFAULT_CONFIG: Readonly<SoilConfig> = { power_mode: 'continuous', samples_averaged: 8, settle_ms: 10 };

const FIELDS: Record<keyof SoilConfig, FieldSpec> = {
  power_mode: { type: 'enum', values: SOIL_POWER_MODES },
  samples_averaged: { type: 'enum', values: SOIL_SAMPLE_COUNTS },
  settle_ms: { type: 'number', min: 0, max: 1000, integer: true },
};

interface Watering {
  readonly at: number;
  readonly level: number;
}

/** A soil-moisture probe on an ADC pin. */
export class SoilMoistureModel implements SensorModel {
  readonly kind = 'soil-moisture' as const;
  readonly #seed: number;
  readonly #profile: DiurnalProfile;
  readonly #interval: number;
  readonly #jitter: number;
  readonly #probability: number;
  readonly #fieldCapacity: number;
  readonly #residual: number;
  readonly #saturation: number;
  readonly #k0: number;
  readonly #adcMax: number;
  readonly #dryHigh: boolean;
  readonly #factory: { dry: number; wet: number };
  #calibration: { dry: number; wet: number; dryUser: boolean; wetUser: boolean };
  #config: SoilConfig = { ...SOIL_DEFAULT_CONFIG };
  /** Drying integral cache: ∫k dt from a watering at `from` up to the grid instant `grid`. */
  #cache = { from: Number.NaN, grid: Number.NaN, integral: 0 };

  constructor(options: SoilMoistureOptions) {
    this.#seed = options.seed >>> 0;
    this.#profile = { ...GREENHOUSE_DIURNAL, ...options.diurnal };
    this.#interval = options.wateringIntervalMs ?? 12 * HOUR_MS;
    this.#jitter = clamp(options.wateringJitter ?? 0.3, 0, 0.95);
    this.#probability = clamp(options.wateringProbability ?? 1, 0, 1);
    this.#fieldCapacity = options.fieldCapacity ?? 42;
    this.#residual = options.residual ?? 8;
    this.#saturation = options.saturation ?? 50;
    this.#k0 = (options.dryingPerHour ?? 0.03) / HOUR_MS;
    this.#adcMax = 2 ** (options.adcBits ?? 12) - 1;
    this.#dryHigh = options.dryHigh ?? false;
    this.#factory = { dry: Math.round(this.#voltageFraction(0) * this.#adcMax), wet: Math.round(this.#voltageFraction(this.#saturation) * this.#adcMax) };
    this.#calibration = { ...this.#factory, dryUser: false, wetUser: false };
  }

  /** Instants of the waterings that happen in [fromMs, toMs]. */
  wateringEvents(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let slot = Math.floor((fromMs - ORIGIN_MS) / this.#interval); ; slot++) {
      const event = this.#slotEvent(slot);
      if (event !== null && event.at > toMs) break;
      if (event === null && ORIGIN_MS + slot * this.#interval > toMs) break;
      if (event !== null && event.at >= fromMs) out.push(event.at);
    }
    return out;
  }

  /** Noise-free volumetric water content (%) at `timeMs`. */
  trueMoisture(timeMs: number): number {
    const last = this.#lastWatering(timeMs);
    const dried = this.#dried(last, timeMs);
    const since = timeMs - last.at;
    if (since >= 10 * INFILTRATION_MS) return dried;
    const before = this.#dried(this.#lastWatering(last.at - 1), last.at);
    return dried - (dried - before) * Math.exp(-since / INFILTRATION_MS);
  }

  read(timeMs: number): SensorReading[] {
    const raw = this.#adcRaw(timeMs);
    const { dry, wet } = this.#calibration;
    const percent = clamp(((raw - dry) / (wet - dry)) * 100, 0, 100);
        const quality = raw <= 0 || raw >= this.#adcMax ? 'uncertain' : 'good';
    return [{ measurement_type: 'soil_moisture', value: roundTo(percent, 1), unit: SOIL_UNITS.soil_moisture, quality }];
  }

  readRaw(timeMs: number): JsonObject {
    const raw = this.#adcRaw(timeMs);
    return { adc: raw, adc_max: this.#adcMax, millivolts: Math.round((raw / this.#adcMax) * 3300), samples_averaged: this.#config.samples_averaged, dry_raw: this.#calibration.dry, wet_raw: this.#calibration.wet };
  }

  config(): Record<string, ConfigValue> {
    return { ...this.#config };
  }

  configure(patch: JsonObject): Record<string, ConfigValue> {
    this.#config = applyPatch(this.#config, patch, FIELDS, 'soil moisture');
    return this.config();
  }

  powerMode(): string {
    return this.#config.power_mode;
  }

  /** `dry` / `wet`: take the current reading as that end point. `two_point`: reference `{dry_raw, wet_raw}`. `factory`: defaults. */
  calibrate(timeMs: number, request: CalibrationRequest): JsonObject {
    const next = { ...this.#calibration };
    switch (request.method) {
      case 'dry':
        Object.assign(next, { dry: this.#adcRaw(timeMs), dryUser: true });
        break;
      case 'wet':
        Object.assign(next, { wet: this.#adcRaw(timeMs), wetUser: true });
        break;
      case 'two_point': {
        const { dry_raw: dry, wet_raw: wet } = (request.reference ?? {}) as { dry_raw?: unknown; wet_raw?: unknown };
        if (!this.#isAdcValue(dry) || !this.#isAdcValue(wet)) {
          throw DeviceRpcError.invalidParams('Invalid calibration reference: soil moisture', [{ path: 'reference', message: `must be {dry_raw, wet_raw}, integers 0–${this.#adcMax}` }]);
        }
        Object.assign(next, { dry, wet, dryUser: true, wetUser: true });
        break;
      }
      case 'factory':
        Object.assign(next, { ...this.#factory, dryUser: false, wetUser: false });
        break;
      default:
        throw DeviceRpcError.invalidParams('Unsupported calibration method: soil moisture', [{ path: 'method', message: 'must be "dry", "wet", "two_point" or "factory"' }]);
    }
    if (Math.abs(next.wet - next.dry) < 100) {
      throw DeviceRpcError.invalidParams('Calibration points too close: soil moisture', [{ path: 'reference', message: `dry ${next.dry} and wet ${next.wet} must differ by at least 100 counts` }]);
    }
    this.#calibration = next;
    const calibration = this.calibration();
    return { calibration_status: calibration.status, method: calibration.method, dry_raw: next.dry, wet_raw: next.wet };
  }

  /** `uncalibrated` on generic factory points, `in_progress` with one end point taken, `calibrated` with both. */
  calibration(): SensorCalibration {
    const { dry, wet, dryUser, wetUser } = this.#calibration;
    const points = [
      { measurement_type: 'soil_moisture', reference: 0, raw: dry },
      { measurement_type: 'soil_moisture', reference: 100, raw: wet },
    ];
    if (dryUser && wetUser) return { status: 'calibrated', method: 'two_point', points };
    if (dryUser || wetUser) return { status: 'in_progress', method: dryUser ? 'dry_point' : 'wet_point', points };
    return { status: 'uncalibrated', method: 'factory', points };
  }

  reset(): void {
    this.#config = { ...SOIL_DEFAULT_CONFIG };
    this.#calibration = { ...this.#factory, dryUser: false, wetUser: false };
  }

  health(): SensorHealth {
    const lowPower = this.#config.power_mode === 'low_power';
    // ~10 kΩ probe divider at 3.3 V; gated, it is powered only for settle time + conversions once per read.
    return {
      status: 'ok',
      diagnostics: {
        probe_powered: !lowPower,
        current_ua: lowPower ? 10 : 330,
        corrosion_risk: lowPower ? 'low' : 'high',
        noise_rms_counts: roundTo(this.#noiseCounts(), 2),
        dry_raw: this.#calibration.dry,
        wet_raw: this.#calibration.wet,
        wiring: this.#dryHigh ? 'capacitive (dry reads high)' : 'resistive divider (dry reads low)',
      },
    };
  }

  #isAdcValue(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= this.#adcMax;
  }

  #noiseCounts(): number {
    const base = 6 / Math.sqrt(this.#config.samples_averaged);
    // A probe switched on just before sampling has not settled if the settle time is short.
    return this.#config.power_mode === 'low_power' ? base + 12 * Math.exp(-this.#config.settle_ms / 5) : base;
  }

  #adcRaw(timeMs: number): number {
    const volts = this.#voltageFraction(this.trueMoisture(timeMs)) * this.#adcMax;
    return Math.round(clamp(volts + this.#noiseCounts() * hashNormal(this.#seed, timeMs, 3), 0, this.#adcMax));
  }

  /** Probe output as a fraction of the ADC reference for a water content; mildly non-linear like real probes. */
  #voltageFraction(moisture: number): number {
    const s = clamp(moisture / this.#saturation, 0, 1);
    return this.#dryHigh ? 0.88 - 0.45 * s ** 0.8 : 0.02 + 0.8 * s ** 0.85;
  }

  #slotEvent(slot: number): Watering | null {
    if (hash01(this.#seed, slot, 21) >= this.#probability) return null;
    const at = ORIGIN_MS + slot * this.#interval + Math.round(this.#jitter * this.#interval * hash01(this.#seed, slot, 22));
    return { at, level: this.#fieldCapacity + 4 * (hash01(this.#seed, slot, 23) - 0.5) };
  }

  #lastWatering(timeMs: number): Watering {
    const slot = Math.floor((timeMs - ORIGIN_MS) / this.#interval);
    for (let s = slot; s > slot - MAX_SKIPPED_SLOTS; s--) {
      const event = this.#slotEvent(s);
      if (event !== null && event.at <= timeMs) return event;
    }
    return { at: ORIGIN_MS + (slot - MAX_SKIPPED_SLOTS) * this.#interval, level: this.#fieldCapacity };
  }

  /** Exponential approach to the residual moisture, with a rate that follows the day's heat. */
  #dried(from: Watering, timeMs: number): number {
    return this.#residual + (from.level - this.#residual) * Math.exp(-this.#dryingIntegral(from.at, timeMs));
  }

  /** ∫k dt over [from, to] by trapezoids on a fixed global grid, so the result never depends on call order. */
  #dryingIntegral(from: number, to: number): number {
    if (to <= from) return 0;
    const rate = (t: number): number => this.#k0 * (1 + 4 * heatFraction(this.#seed, t, this.#profile));
    const segment = (a: number, b: number): number => ((rate(a) + rate(b)) / 2) * (b - a);
    const firstGrid = ORIGIN_MS + Math.ceil((from - ORIGIN_MS) / INTEGRATION_STEP_MS) * INTEGRATION_STEP_MS;
    if (to <= firstGrid) return segment(from, to);
    let t = firstGrid;
    let integral: number;
    if (this.#cache.from === from && this.#cache.grid >= firstGrid && this.#cache.grid <= to) {
      t = this.#cache.grid;
      integral = this.#cache.integral;
    } else {
      integral = segment(from, firstGrid);
    }
    for (; t + INTEGRATION_STEP_MS <= to; t += INTEGRATION_STEP_MS) integral += segment(t, t + INTEGRATION_STEP_MS);
    this.#cache = { from, grid: t, integral };
    return t < to ? integral + segment(t, to) : integral;
  }
}
