/** Simulated time: wall-clock time, optionally shifted to a start instant and sped up. */

/** Anything that tells the simulated time in ms since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** Options of {@link SimClock}. */
export interface SimClockOptions {
  /** Simulated instant (ms since epoch) when the clock is created; default: the real now. */
  readonly startTime?: number;
  /** Simulated ms per real ms; 60 makes a simulated day pass in 24 real minutes. Default 1. */
  readonly timeScale?: number;
  /** Real time source (ms); default `Date.now`. Tests inject a fake. */
  readonly realNow?: () => number;
}

/** A clock that runs `timeScale` times faster than real time from `startTime`. */
export class SimClock implements Clock {
  readonly timeScale: number;
  readonly #startTime: number;
  readonly #realStart: number;
  readonly #realNow: () => number;

  constructor(options: SimClockOptions = {}) {
    this.#realNow = options.realNow ?? Date.now;
    this.#realStart = this.#realNow();
    this.#startTime = options.startTime ?? this.#realStart;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new RangeError(`Invalid time scale: ${String(options.timeScale)}`);
  }

  now(): number {
    return Math.round(this.#startTime + (this.#realNow() - this.#realStart) * this.timeScale);
  }
}
