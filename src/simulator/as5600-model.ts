/** ams AS5600 model: a magnet turning above the chip at a slowly varying speed, 12-bit angle, AGC and status. */
import { applyPatch, type FieldSpec } from './config-validation.ts';
import { DEVICE_RPC_CODES, DeviceRpcError } from './device-rpc-error.ts';
import { clamp } from './diurnal.ts';
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

const STEPS = 4096;
/** Rotation is integrated from this instant (keeps the float revolution count small and precise). */
const ORIGIN_MS = Date.UTC(2025, 0, 1);
const P1_MS = 7 * 60_000;
const P2_MS = 41 * 60_000;

export const AS5600_POWER_MODES = ['NOM', 'LPM1', 'LPM2', 'LPM3'] as const;
export const AS5600_HYSTERESIS_LSB = [0, 1, 2, 3] as const;
/** CONF.SF encodings 00, 01, 10, 11: slow filter step response ×16 (quietest) to ×2. */
export const AS5600_SLOW_FILTERS = [16, 8, 4, 2] as const;
/** CONF.FTH encodings 000–111, in LSB; 0 = slow filter only. */
export const AS5600_FAST_FILTER_THRESHOLDS = [0, 6, 7, 9, 18, 21, 24, 10] as const;
/** Datasheet: polling time per power mode, ms (NOM samples continuously). */
export const AS5600_POLL_MS = { NOM: 0, LPM1: 5, LPM2: 20, LPM3: 100 } as const;
/** Datasheet: supply current per power mode, µA. */
export const AS5600_CURRENT_UA = { NOM: 6500, LPM1: 3400, LPM2: 1800, LPM3: 1500 } as const;
/** Angle noise (degrees RMS) per slow-filter setting. */
const NOISE_DEG: Readonly<Record<number, number>> = { 16: 0.015, 8: 0.021, 4: 0.029, 2: 0.043 };

export const AS5600_UNITS = { angle: 'degrees', rotation_speed: 'rpm' } as const;

/** Mechanical setting of a simulated AS5600. */
export interface As5600Options {
  readonly seed: number;
  /** Mean shaft speed in rpm (default 6: one turn every 10 s). */
  readonly baseRpm?: number;
  /** Relative speed swing, 0–0.9 (default 0.25): the speed wanders ±25 % over minutes. */
  readonly rpmVariation?: number;
  /** Magnet-to-chip distance in mm (default 1.5; the datasheet wants 0.5–3 mm). */
  readonly airGapMm?: number;
  /** 3.3 V or 5 V operation: the AGC range is 0–128 or 0–255. */
  readonly supplyVoltage?: 3.3 | 5;
}

/** Settings, named as in the static schema's `configuration_options` (CONF and ZPOS registers). */
export interface As5600Config {
  power_mode: (typeof AS5600_POWER_MODES)[number];
  hysteresis_lsb: number;
  slow_filter: number;
  fast_filter_threshold_lsb: number;
  zero_position: number;
}

/** Power-on register values. */
export const AS5600_DEFAULT_CONFIG: Readonly<As5600Config> = { power_mode: 'NOM', hysteresis_lsb: 0, slow_filter: 16, fast_filter_threshold_lsb: 0, zero_position: 0 };

const FIELDS: Record<keyof As5600Config, FieldSpec> = {
  power_mode: { type: 'enum', values: AS5600_POWER_MODES },
  hysteresis_lsb: { type: 'enum', values: AS5600_HYSTERESIS_LSB },
  slow_filter: { type: 'enum', values: AS5600_SLOW_FILTERS },
  fast_filter_threshold_lsb: { type: 'enum', values: AS5600_FAST_FILTER_THRESHOLDS },
  zero_position: { type: 'number', min: 0, max: STEPS - 1, integer: true },
};

/** Magnet status as the STATUS register reports it. */
export interface MagnetStatus {
  /** MD: a magnet is detected. */
  readonly md: boolean;
  /** ML: AGC maximum gain overflow, the magnet is too weak (too far). */
  readonly ml: boolean;
  /** MH: AGC minimum gain overflow, the magnet is too strong (too close). */
  readonly mh: boolean;
  readonly agc: number;
  readonly magnitude: number;
}

/** An AS5600 with a diametric magnet on a turning shaft. */
export class As5600Model implements SensorModel {
  readonly kind = 'as5600' as const;
  readonly #seed: number;
  readonly #baseRpm: number;
  readonly #v1: number;
  readonly #v2: number;
  readonly #phi1: number;
  readonly #phi2: number;
  readonly #phase: number;
  readonly #agcMax: number;
  #airGapMm: number;
  #config: As5600Config = { ...AS5600_DEFAULT_CONFIG };
  #zmco = 0;
  #burnedZpos: number | null = null;
  #lastOutput: number | null = null;

  constructor(options: As5600Options) {
    this.#seed = options.seed >>> 0;
    this.#baseRpm = options.baseRpm ?? 6;
    const variation = clamp(options.rpmVariation ?? 0.25, 0, 0.9);
    this.#v1 = 0.6 * variation;
    this.#v2 = 0.4 * variation;
    this.#phi1 = 2 * Math.PI * hash01(this.#seed, 1);
    this.#phi2 = 2 * Math.PI * hash01(this.#seed, 2);
    this.#phase = hash01(this.#seed, 3);
    this.#airGapMm = options.airGapMm ?? 1.5;
    this.#agcMax = options.supplyVoltage === 5 ? 255 : 128;
  }

  /** Shaft speed in rpm at `timeMs`. */
  rpm(timeMs: number): number {
    const tau = timeMs - ORIGIN_MS;
    return this.#baseRpm * (1 + this.#v1 * Math.sin((2 * Math.PI * tau) / P1_MS + this.#phi1) + this.#v2 * Math.sin((2 * Math.PI * tau) / P2_MS + this.#phi2));
  }

  /** Noise-free mechanical angle in [0, 360) at `timeMs`: the closed-form integral of {@link rpm}. */
  trueAngle(timeMs: number): number {
    const tau = timeMs - ORIGIN_MS;
    const w1 = (2 * Math.PI) / P1_MS;
    const w2 = (2 * Math.PI) / P2_MS;
    const revolutions =
      (this.#baseRpm / 60_000) *
        (tau + (this.#v1 / w1) * (Math.cos(this.#phi1) - Math.cos(w1 * tau + this.#phi1)) + (this.#v2 / w2) * (Math.cos(this.#phi2) - Math.cos(w2 * tau + this.#phi2))) +
      this.#phase;
    return (revolutions - Math.floor(revolutions)) * 360;
  }

  /** Move the magnet (e.g. 5 mm: it fell off the shaft). */
  setAirGap(mm: number): void {
    this.#airGapMm = mm;
  }

  magnet(timeMs: number): MagnetStatus {
    // Axial run-out: the gap breathes ±0.03 mm once per turn. Field falls off with distance.
    const gap = this.#airGapMm + 0.03 * Math.sin((this.trueAngle(timeMs) * Math.PI) / 180);
    const fieldMt = 130 * Math.exp(-gap / 2);
    const agc = Math.round(clamp((this.#agcMax * (90 - fieldMt)) / 60, 0, this.#agcMax));
    const magnitude = Math.round(clamp(1900 * Math.min(fieldMt / 30, 1) + 12 * hashNormal(this.#seed, timeMs, 7), 0, 4095));
    return { md: fieldMt >= 8, ml: fieldMt < 30, mh: fieldMt > 90, agc, magnitude };
  }

  read(timeMs: number): SensorReading[] {
    const at = this.#pollInstant(timeMs);
    const status = this.magnet(at);
    const quality = !status.md ? 'bad' : status.ml || status.mh ? 'uncertain' : 'good';
    return [
      { measurement_type: 'angle', value: (this.#angleRegister(at) * 360) / STEPS, unit: AS5600_UNITS.angle, quality },
      { measurement_type: 'rotation_speed', value: roundTo(this.rpm(at) + 0.05 * hashNormal(this.#seed, at, 9), 1), unit: AS5600_UNITS.rotation_speed, quality },
    ];
  }

  readRaw(timeMs: number): JsonObject {
    const at = this.#pollInstant(timeMs);
    const status = this.magnet(at);
    // CONF: PM bits 1:0, HYST 3:2, SF 9:8, FTH 12:10.
    const conf =
      AS5600_POWER_MODES.indexOf(this.#config.power_mode) |
      (this.#config.hysteresis_lsb << 2) |
      (AS5600_SLOW_FILTERS.indexOf(this.#config.slow_filter as 16) << 8) |
      (AS5600_FAST_FILTER_THRESHOLDS.indexOf(this.#config.fast_filter_threshold_lsb as 0) << 10);
    return {
      raw_angle: this.#rawAngle(at),
      angle: this.#angleRegister(at),
      status: (status.mh ? 0x08 : 0) | (status.ml ? 0x10 : 0) | (status.md ? 0x20 : 0),
      agc: status.agc,
      magnitude: status.magnitude,
      zpos: this.#config.zero_position,
      mpos: 0,
      mang: 0,
      zmco: this.#zmco,
      conf,
    };
  }

  config(): Record<string, ConfigValue> {
    return { ...this.#config };
  }

  configure(patch: JsonObject): Record<string, ConfigValue> {
    this.#config = applyPatch(this.#config, patch, FIELDS, 'AS5600');
    this.#lastOutput = null;
    return this.config();
  }

  powerMode(): string {
    return this.#config.power_mode;
  }

  /** `zero` (default): the current position reads 0° (or `reference` degrees). `burn`: make ZPOS permanent (ZMCO, at most 3 times). */
  calibrate(timeMs: number, request: CalibrationRequest): JsonObject {
    const method = request.method ?? 'zero';
    if (method === 'burn') {
      if (this.#zmco >= 3) throw new DeviceRpcError(DEVICE_RPC_CODES.HARDWARE_REFUSED, 'OTP burn limit reached: AS5600 ZMCO is 3', { zmco: this.#zmco });
      this.#zmco += 1;
      this.#burnedZpos = this.#config.zero_position;
    } else if (method === 'zero' || method === 'zero_position') {
      const reference = request.reference ?? 0;
      if (typeof reference !== 'number' || !Number.isFinite(reference)) {
        throw DeviceRpcError.invalidParams('Invalid calibration reference: AS5600', [{ path: 'reference', message: 'must be the angle in degrees the current position should read' }]);
      }
      const raw = this.#rawAngle(this.#pollInstant(timeMs));
      this.#config = { ...this.#config, zero_position: mod(raw - Math.round((reference * STEPS) / 360), STEPS) };
      this.#lastOutput = null;
    } else {
      throw DeviceRpcError.invalidParams('Unsupported calibration method: AS5600', [{ path: 'method', message: 'must be "zero" or "burn"' }]);
    }
    return {
      calibration_status: 'calibrated',
      method: this.calibration().method,
      zero_position: this.#config.zero_position,
      zmco: this.#zmco,
      angle: (this.#angleRegister(this.#pollInstant(timeMs)) * 360) / STEPS,
    };
  }

  calibration(): SensorCalibration {
    const factory = this.#config.zero_position === 0 && this.#zmco === 0;
    return { status: 'calibrated', method: factory ? 'factory' : 'zero_position', offsets: { angle: (this.#config.zero_position * 360) / STEPS } };
  }

  reset(): void {
    this.#config = { ...AS5600_DEFAULT_CONFIG, zero_position: this.#burnedZpos ?? 0 };
    this.#lastOutput = null;
  }

  health(timeMs: number): SensorHealth {
    const status = this.magnet(timeMs);
    return {
      status: !status.md ? 'failed' : status.ml || status.mh ? 'degraded' : 'ok',
      diagnostics: {
        magnet_detected: status.md,
        magnet_too_weak: status.ml,
        magnet_too_strong: status.mh,
        agc: status.agc,
        agc_max: this.#agcMax,
        magnitude: status.magnitude,
        current_ua: AS5600_CURRENT_UA[this.#config.power_mode],
        noise_rms_deg: NOISE_DEG[this.#config.slow_filter] ?? null,
        zmco: this.#zmco,
      },
    };
  }

  /** In low-power modes the chip samples only once per polling period. */
  #pollInstant(timeMs: number): number {
    const poll = AS5600_POLL_MS[this.#config.power_mode];
    return poll === 0 ? timeMs : Math.floor(timeMs / poll) * poll;
  }

  /** RAW_ANGLE register (0–4095), before ZPOS. */
  #rawAngle(at: number): number {
    const degrees = this.trueAngle(at) + (NOISE_DEG[this.#config.slow_filter] ?? 0.015) * hashNormal(this.#seed, at, 5);
    return mod(Math.round((degrees * STEPS) / 360), STEPS);
  }

  /** ANGLE register: RAW_ANGLE minus ZPOS, through the hysteresis window. */
  #angleRegister(at: number): number {
    const angle = mod(this.#rawAngle(at) - this.#config.zero_position, STEPS);
    const window = this.#config.hysteresis_lsb;
    const last = this.#lastOutput;
    if (last !== null && window > 0) {
      const diff = Math.abs(angle - last);
      if (Math.min(diff, STEPS - diff) <= window) return last;
    }
    this.#lastOutput = angle;
    return angle;
  }
}

function mod(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}
