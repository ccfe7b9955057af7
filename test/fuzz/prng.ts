/** A small seeded PRNG (mulberry32) and the draws the fuzz generators make; one stream per (seed, input index). */

/** Random draws from one seeded stream. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The stream of input `index` of a run with `seed`: each input reproduces on its own (`--from index --inputs 1`). */
  static forInput(seed: number, index: number): Prng {
    // splitmix-style scramble so neighbouring indices give unrelated streams.
    let h = (seed ^ Math.imul(index + 0x9e3779b9, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
    return new Prng((h ^ (h >>> 16)) >>> 0);
  }

  /** mulberry32: a uniform 32-bit value. */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Integer in [min, max], biased towards small values (sizes, counts, depths). */
  small(min: number, max: number): number {
    const span = max - min + 1;
    return min + Math.floor(span * this.float() ** 3);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick: empty list');
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}
