/** Day/night temperature curve shared by the models: minimum at dawn, maximum mid-afternoon. */
import { hashNormal, valueNoise } from './random.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Shape of a daily temperature cycle. Hours are local solar time. */
export interface DiurnalProfile {
  /** Mean daily minimum in °C (default 14). */
  readonly minC: number;
  /** Mean daily maximum in °C (default 28). */
  readonly maxC: number;
  /** Hour of the minimum, 0–24 (default 5). */
  readonly minHour: number;
  /** Hour of the maximum, 0–24, after `minHour` (default 15). */
  readonly maxHour: number;
  /** Local offset from UTC in minutes (default 0): the simulation never depends on the host time zone. */
  readonly utcOffsetMinutes: number;
  /** Standard deviation in °C of each day's minimum and maximum around the means (cloudy vs sunny days). */
  readonly dayToDayC: number;
  /** Amplitude in °C of slow (hour-scale) wander on top of the curve. */
  readonly slowNoiseC: number;
}

/** A greenhouse: 14 °C at 05:00, 28 °C at 15:00. */
export const GREENHOUSE_DIURNAL: DiurnalProfile = {
  minC: 14,
  maxC: 28,
  minHour: 5,
  maxHour: 15,
  utcOffsetMinutes: 0,
  dayToDayC: 1,
  slowNoiseC: 0.4,
};

/** Local hour of day (0 ≤ h < 24) of a simulated instant. */
export function localHour(timeMs: number, utcOffsetMinutes: number): number {
  const local = timeMs + utcOffsetMinutes * 60_000;
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/**
 * Air temperature at `timeMs`: a half-cosine rise from each day's minimum (at `minHour`) to its maximum
 * (at `maxHour`), a longer half-cosine fall to the next day's minimum, plus slow wander. Pure in (seed, time).
 */
export function diurnalTemperature(seed: number, timeMs: number, profile: DiurnalProfile): number {
  const local = timeMs + profile.utcOffsetMinutes * 60_000;
  const day = Math.floor(local / DAY_MS);
  const hour = localHour(timeMs, profile.utcOffsetMinutes);
  const low = (d: number): number => profile.minC + profile.dayToDayC * clamp(hashNormal(seed, d, 11), -2, 2);
  const high = (d: number): number => profile.maxC + profile.dayToDayC * clamp(hashNormal(seed, d, 12), -2, 2);
  const rise = profile.maxHour - profile.minHour;
  const fall = 24 - rise;
  let base: number;
  if (hour >= profile.minHour && hour <= profile.maxHour) {
    base = halfCosine(low(day), high(day), (hour - profile.minHour) / rise);
  } else if (hour > profile.maxHour) {
    base = halfCosine(high(day), low(day + 1), (hour - profile.maxHour) / fall);
  } else {
    base = halfCosine(high(day - 1), low(day), (hour + 24 - profile.maxHour) / fall);
  }
  return base + profile.slowNoiseC * valueNoise(seed ^ 0x5eed, timeMs, 2 * HOUR_MS);
}

/** 0 at the coolest, 1 at the warmest point of the mean cycle: how much the sun drives evaporation. */
export function heatFraction(seed: number, timeMs: number, profile: DiurnalProfile): number {
  const span = profile.maxC - profile.minC;
  if (span <= 0) return 0.5;
  return clamp((diurnalTemperature(seed, timeMs, profile) - profile.minC) / span, 0, 1);
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function halfCosine(from: number, to: number, fraction: number): number {
  return from + ((to - from) * (1 - Math.cos(Math.PI * fraction))) / 2;
}
