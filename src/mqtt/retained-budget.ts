/** RetainedBudget: how many retained messages, and how many bytes, the embedded broker may keep. */

/** Default {@link RetainedBudgetLimits}. */
export const DEFAULT_MAX_RETAINED_MESSAGES = 10_000;
export const DEFAULT_MAX_RETAINED_BYTES = 64 * 1024 * 1024;

export interface RetainedBudgetLimits {
  readonly maxMessages: number;
  /** Payload plus topic bytes of every retained message together. */
  readonly maxBytes: number;
}

/** Why a retained message does not fit. */
export type RetainedRefusal = 'retained-count' | 'retained-bytes';

/**
 * Tracks what the broker's retained store holds (fed from its `storeRetained`) and decides whether a
 * new retained message fits. Replacing a topic's retained message counts only the difference; an
 * empty payload deletes it [MQTT-3.3.1-10] and always fits.
 */
export class RetainedBudget {
  readonly limits: RetainedBudgetLimits;
  readonly #sizes = new Map<string, number>();
  #bytes = 0;

  constructor(limits: RetainedBudgetLimits) {
    this.limits = limits;
  }

  get messages(): number {
    return this.#sizes.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Whether a retained message of `payloadBytes` on `topic` fits, or why not. */
  admits(topic: string, payloadBytes: number): RetainedRefusal | null {
    if (payloadBytes === 0) return null;
    const previous = this.#sizes.get(topic);
    if (previous === undefined && this.#sizes.size >= this.limits.maxMessages) return 'retained-count';
    const size = sizeOf(topic, payloadBytes);
    if (this.#bytes - (previous ?? 0) + size > this.limits.maxBytes) return 'retained-bytes';
    return null;
  }

  /** The store now holds `payloadBytes` on `topic` (0: nothing). */
  stored(topic: string, payloadBytes: number): void {
    const previous = this.#sizes.get(topic);
    if (previous !== undefined) this.#bytes -= previous;
    if (payloadBytes === 0) {
      this.#sizes.delete(topic);
      return;
    }
    const size = sizeOf(topic, payloadBytes);
    this.#sizes.set(topic, size);
    this.#bytes += size;
  }
}

function sizeOf(topic: string, payloadBytes: number): number {
  return Buffer.byteLength(topic) + payloadBytes;
}
