// Per-edge-node seq ordering (Sparkplug 3.0 §5 "Sparkplug Host Application Message Ordering").
//
// seq runs 0–255 and wraps ([tck-id-payloads-sequence-num-incrementing]); NBIRTH, DBIRTH, NDATA,
// DDATA and DDEATH carry it. A message ahead of the expected seq is held back and a Reorder Timeout
// starts ([tck-id-operational-behavior-host-reordering-start]); when the gap fills in time the held
// messages are released in order and the timer stops ([tck-id-operational-behavior-host-reordering-success]);
// when it does not, they are released anyway and the owner asks for a rebirth
// ([tck-id-operational-behavior-host-reordering-rebirth]). Messages are always handed out in seq
// order, because a pair may be a DBIRTH then a DDEATH.
//
// seq is mod 256, so "ahead" and "behind" cannot be told apart: any seq other than the expected one
// is taken as ahead (held, a rebirth if the gap does not fill), except a recent duplicate: a seq held
// already, or one at most RECENT_BEHIND behind the expected seq that does not continue the last
// accepted message (a QoS 1 redelivery, or a late message of a gap already given up on, which had
// its rebirth). A jump of any size (expected 6, then 200…255, 0…5) is thus never dropped silently.

/** What {@link SequenceWindow.offer} decided about one message; `stale` = a recent duplicate, dropped. */
export type SeqVerdict = 'in_order' | 'held' | 'stale';

export interface SequenceWindowOptions<T> {
  /** The Reorder Timeout in ms ([tck-id-operational-behavior-host-reordering-param]); 0 = never wait. */
  readonly timeoutMs: number;
  /** Hands one message to processing, in seq order. */
  readonly deliver: (item: T) => void;
  /** The gap did not fill in time (the held messages have been delivered already). */
  readonly onGap: (missing: number, heldCount: number) => void;
  /** A held message was dropped undelivered (a BIRTH or DEATH ended the session, or shutdown). */
  readonly onDropped?: (item: T) => void;
}

const SEQ_SPAN = 256;
/** A seq at most this far behind the expected one, not continuing the last accepted message, is a repeat. */
export const RECENT_BEHIND = 16;

export class SequenceWindow<T> {
  readonly #options: SequenceWindowOptions<T>;
  readonly #held = new Map<number, T>();
  #expected = 0;
  /** seq of the last message accepted (delivered or held), or of the BIRTH. */
  #last = SEQ_SPAN - 1;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SequenceWindowOptions<T>) {
    this.#options = options;
  }

  /** The seq the next message must carry. */
  get expected(): number {
    return this.#expected;
  }

  /** Messages waiting for a gap to fill. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Start counting after a BIRTH with `seq` ([tck-id-payloads-nbirth-seq]: any 0–255 accepted, see sparkplug#178). */
  reset(seq: number): void {
    this.clear();
    this.#last = seq;
    this.#expected = (seq + 1) % SEQ_SPAN;
  }

  /** Drop held messages and stop the timer (NDEATH, shutdown). */
  clear(): void {
    const dropped = [...this.#held.values()];
    this.#held.clear();
    this.#stopTimer();
    if (this.#options.onDropped !== undefined) for (const item of dropped) this.#options.onDropped(item);
  }

  /** Offer a message with its seq; delivers it (and any held successors) when it is the expected one. */
  offer(seq: number, item: T): SeqVerdict {
    if (seq === this.#expected) {
      this.#last = seq;
      this.#advance(item);
      this.#drain();
      if (this.#held.size === 0) this.#stopTimer();
      return 'in_order';
    }
    if (this.#held.has(seq)) return 'stale';
    const behind = (this.#expected - seq + SEQ_SPAN) % SEQ_SPAN;
    if (behind <= RECENT_BEHIND && seq !== (this.#last + 1) % SEQ_SPAN) return 'stale';
    this.#last = seq;
    this.#held.set(seq, item);
    if (this.#options.timeoutMs <= 0) {
      this.#expire();
    } else {
      this.#timer ??= unref(setTimeout(() => this.#expire(), this.#options.timeoutMs));
    }
    return 'held';
  }

  /** Deliver every held message in seq order, skipping the gaps; used before an NDEATH ends the session. */
  flush(): number {
    let delivered = 0;
    while (this.#held.size > 0) {
      this.#skipToNextHeld();
      delivered += this.#drain();
    }
    this.#stopTimer();
    return delivered;
  }

  #advance(item: T): void {
    this.#expected = (this.#expected + 1) % SEQ_SPAN;
    this.#options.deliver(item);
  }

  /** Deliver held messages while they continue the sequence; returns how many. */
  #drain(): number {
    let delivered = 0;
    for (let next = this.#held.get(this.#expected); next !== undefined; next = this.#held.get(this.#expected)) {
      this.#held.delete(this.#expected);
      this.#advance(next);
      delivered++;
    }
    return delivered;
  }

  /** Move `expected` to the nearest held seq. */
  #skipToNextHeld(): void {
    let nearest = SEQ_SPAN;
    for (const seq of this.#held.keys()) nearest = Math.min(nearest, (seq - this.#expected + SEQ_SPAN) % SEQ_SPAN);
    this.#expected = (this.#expected + nearest) % SEQ_SPAN;
  }

  #expire(): void {
    this.#timer = undefined;
    const missing = this.#expected;
    const held = this.#held.size;
    this.flush();
    this.#options.onGap(missing, held);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  timer.unref?.();
  return timer;
}
