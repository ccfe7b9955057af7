/** The contract every simulated sensor fulfils: readings, raw registers, configuration, calibration, health. */
import type { JsonObject } from '../core/device.ts';

export type { JsonObject };

/** Sensor models the simulator knows. */
export const SENSOR_KINDS = ['bmp580', 'as5600', 'soil-moisture'] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];

/** Reading quality as the protocol carries it. */
export type ReadingQuality = 'good' | 'uncertain' | 'bad';

/** One measurement as sent in `sensor.read` results and `telemetry.report` readings. */
export interface SensorReading {
  readonly measurement_type: string;
  readonly value: number | boolean | string;
  readonly unit: string;
  readonly quality: ReadingQuality;
}

/** What `sensor.calibrate` passes to a model. */
export interface CalibrationRequest {
  readonly reference?: unknown;
  readonly method?: string;
}

/** A configuration value (the `configuration` map of the sensor-dynamic schema). */
export type ConfigValue = string | number | boolean;

/** The `calibration` section of a sensor-dynamic document. */
export interface SensorCalibration {
  readonly status: 'calibrated' | 'uncalibrated' | 'in_progress' | 'expired';
  /** e.g. "factory", "offset", "zero_position", "two_point". */
  readonly method: string;
  readonly offsets?: Readonly<Record<string, number>>;
  readonly points?: readonly { readonly measurement_type: string; readonly reference: number; readonly raw: number }[];
}

/** The model-specific part of the `health` section of a sensor-dynamic document. */
export interface SensorHealth {
  readonly status: 'ok' | 'degraded' | 'failed';
  /** Sensor-specific flags and figures (magnet_detected, agc, current_ua, noise_rms, …). */
  readonly diagnostics: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * A simulated sensor. Readings are functions of simulated time (ms since epoch) and the model's seed,
 * so two models with the same seed and settings read the same values at the same instants.
 * Configuration keys are those the sensor's static schema lists under `configuration_options`.
 */
export interface SensorModel {
  readonly kind: SensorKind;
  /** Every measurement the sensor produces at `timeMs`, rounded to the sensor's resolution. */
  read(timeMs: number): SensorReading[];
  /** Raw register or ADC values at `timeMs` (the `raw` object of `sensor.read_raw`). */
  readRaw(timeMs: number): JsonObject;
  /** Current configuration, by option name. */
  config(): Record<string, ConfigValue>;
  /** Apply a partial configuration; returns the full configuration. Throws DeviceRpcError -32602 when invalid. */
  configure(patch: JsonObject): Record<string, ConfigValue>;
  /** Current power mode: one of the static schema's `power.modes` names. */
  powerMode(): string;
  /** Calibrate; returns `calibration_status`, `method` and the new figures. Throws DeviceRpcError -32602 when unusable. */
  calibrate(timeMs: number, request: CalibrationRequest): JsonObject;
  calibration(): SensorCalibration;
  /** Back to power-on defaults (configuration and volatile calibration). */
  reset(): void;
  health(timeMs: number): SensorHealth;
}

/** Round to a number of decimals without float noise in the output (e.g. 23.450000000000003). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
