/**
 * EarlyMessages: a kept session delivers what the broker queued as soon as the hub connects, before
 * its protocols subscribed. Such QoS 1 messages are held (no PUBACK) until a handler for them
 * subscribes, or acknowledged and dropped when the grace period ends with none.
 */
import type { MessageMeta } from '../core/ports/mqtt-bus.ts';
import { matchTopic } from './topic-filter.ts';

/** A QoS 1 message that arrived before any handler for it subscribed. */
interface EarlyMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly meta: MessageMeta;
  release(taken: boolean): void;
}

export class EarlyMessages {
  #held: EarlyMessage[] = [];
  readonly #until: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onDropped: (count: number) => void;

  /** `onDropped`: how many messages no handler wanted when the grace period ended (they are acknowledged). */
  constructor(graceMs: number, onDropped: (count: number) => void) {
    this.#until = Date.now() + graceMs;
    this.#onDropped = onDropped;
    this.#timer = setTimeout(() => this.#release(), graceMs);
    this.#timer.unref?.();
  }

  /** Whether the grace period still runs. */
  get open(): boolean {
    return Date.now() < this.#until;
  }

  /** Hold a message: the promise settles when a handler took it (or the grace period ended), rejects when one failed to. */
  hold(topic: string, payload: Buffer, meta: MessageMeta): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#held.push({ topic, payload, meta, release: (taken) => (taken ? resolve() : reject(new Error('not taken'))) }));
  }

  /** Hand the held messages that match `filter` to `deliver` (which returns its handlers' holds); the others stay. */
  replay(filter: string, deliver: (topic: string, payload: Buffer, meta: MessageMeta) => Promise<void>[]): void {
    if (this.#held.length === 0) return;
    const still: EarlyMessage[] = [];
    for (const early of this.#held) {
      if (!matchTopic(filter, early.topic)) {
        still.push(early);
        continue;
      }
      const holds = deliver(early.topic, early.payload, early.meta);
      if (holds.length === 0) early.release(true);
      else Promise.all(holds).then(() => early.release(true), () => early.release(false));
    }
    this.#held = still;
  }

  /** The bus closes: no grace period to end any more. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The grace period is over: messages no handler wanted are acknowledged (nothing here takes them). */
  #release(): void {
    this.#timer = undefined;
    const held = this.#held;
    this.#held = [];
    if (held.length > 0) this.#onDropped(held.length);
    for (const message of held) message.release(true);
  }
}
