/** Seeded randomness for the simulator: a small PRNG and hash noise that is a pure function of (seed, inputs). */

/** A seeded pseudo-random sequence (mulberry32). Same seed, same sequence, on every platform. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Standard normal deviate (mean 0, sd 1). */
  normal(): number;
  /** Exponentially distributed value with the given mean. */
  exponential(mean: number): number;
}

/** Create a mulberry32 generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: () => boxMuller(next(), next()),
    exponential: (mean) => -mean * Math.log(1 - next()),
  };
}

/** Stable 32-bit seed from text (FNV-1a), e.g. to seed a device from its hardware id. */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Hash any number of integers (up to ±2^53) to a float in [0, 1). Pure: same inputs, same output. */
export function hash01(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    const v = Math.trunc(value);
    h = mix(h ^ (v >>> 0));
    h = mix(h ^ (Math.floor(v / 4294967296) >>> 0));
  }
  return mix(h) / 4294967296;
}

/** Standard normal deviate derived from hashed inputs (pure). */
export function hashNormal(...values: readonly number[]): number {
  return boxMuller(hash01(...values, 1), hash01(...values, 2));
}

/**
 * Smooth value noise in [-1, 1] at `timeMs`: random lattice values every `periodMs`, joined by a
 * smoothstep. Pure in (seed, timeMs), so a model reads the same value whatever order it is sampled in.
 */
export function valueNoise(seed: number, timeMs: number, periodMs: number): number {
  const x = timeMs / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const a = hash01(seed, i) * 2 - 1;
  const b = hash01(seed, i + 1) * 2 - 1;
  const s = f * f * (3 - 2 * f);
  return a + (b - a) * s;
}

/** murmur3 fmix32 finalizer. */
function mix(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function boxMuller(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}
