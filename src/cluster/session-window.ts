/**
 * SessionWindow: on the instances that do not own a session of an unshared protocol (Sparkplug: every
 * instance receives every message), the session's recent messages, so the instance that takes the
 * session over from a dead owner can replay what the dead one cannot have stored. Kept per session
 * key: the message that started the session (NBIRTH) and the latest of each message that stays with
 * it (DBIRTH per device), however old, and everything of the last `windowMs`, at most `maxPerKey`.
 */

/** A message as the new owner replays it. */
export interface ReplayMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** Messages before this one (after the session's start) were dropped from the window: continue the session's order from here. */
  readonly resume: boolean;
}

/** Which messages start and belong to a session (from the protocol, OwnedSessions.window). */
export interface WindowRules {
  /** The message starts a new session: what came before it is forgotten (Sparkplug NBIRTH). */
  starts(topic: string): boolean;
  /** The message stays while its session lasts, the latest per topic (Sparkplug DBIRTH). */
  keeps(topic: string): boolean;
}

interface Entry {
  readonly topic: string;
  readonly payload: Buffer;
  readonly at: number;
}

interface KeyWindow {
  /** The session's start and kept messages, in arrival order. */
  kept: Entry[];
  /** Everything of the last windowMs (kept ones too), in arrival order. */
  recent: Entry[];
  /** Messages since the session's start were dropped: the replay has gaps to resume across. */
  broken: boolean;
}

/** A recent message in the arrival order of every key (for the total cap). */
interface Arrival {
  readonly window: KeyWindow;
  readonly entry: Entry;
}

export interface SessionWindowOptions {
  readonly rules: WindowRules;
  readonly windowMs: number;
  readonly maxPerKey: number;
  /** Payload bytes of recent messages kept for all keys together; beyond it the oldest go first, whatever their key. */
  readonly maxBytes: number;
  readonly now: () => number;
}

export class SessionWindow {
  readonly #o: SessionWindowOptions;
  readonly #keys = new Map<string, KeyWindow>();
  #sweptAt = 0;
  /** Payload bytes of the recent messages of every key. */
  #bytes = 0;
  /** Recent messages of every key in arrival order, from #head on (entries dropped since are skipped). */
  #arrivals: Arrival[] = [];
  #head = 0;

  constructor(options: SessionWindowOptions) {
    this.#o = options;
  }

  /** Remember a message of session `key` that another instance handles. */
  add(key: string, topic: string, payload: Buffer): void {
    const now = this.#o.now();
    const entry: Entry = { topic, payload, at: now };
    let window = this.#keys.get(key);
    if (this.#o.rules.starts(topic)) {
      if (window !== undefined) this.#drop(window);
      window = { kept: [entry], recent: [entry], broken: false };
      this.#keys.set(key, window);
      this.#arrived(window, entry, now);
      return;
    }
    if (window === undefined) {
      // Joined mid-session (no start seen): the replay resumes wherever it begins.
      window = { kept: [], recent: [], broken: true };
      this.#keys.set(key, window);
    }
    if (this.#o.rules.keeps(topic)) {
      window.kept = window.kept.filter((k) => k.topic !== topic);
      window.kept.push(entry);
    }
    window.recent.push(entry);
    this.#arrived(window, entry, now);
  }

  #arrived(window: KeyWindow, entry: Entry, now: number): void {
    this.#bytes += entry.payload.length;
    this.#arrivals.push({ window, entry });
    this.#evict(window, now);
    if (now - this.#sweptAt >= this.#o.windowMs) this.#sweep(now);
    while (this.#bytes > this.#o.maxBytes && this.#evictOldest());
  }

  /** The messages to replay for `key`, in order (kept ones no longer recent first), and forget them. */
  take(key: string): ReplayMessage[] {
    const window = this.#keys.get(key);
    this.#keys.delete(key);
    if (window === undefined) return [];
    this.#evict(window, this.#o.now());
    const taken = { ...window, recent: [...window.recent] };
    this.#drop(window);
    return this.#replay(taken);
  }

  #replay(window: KeyWindow): ReplayMessage[] {
    // Without the message that started the session (joined mid-session), nothing in it can be read.
    if (!window.kept.some((k) => this.#o.rules.starts(k.topic))) return [];
    if (!window.broken) return window.recent.map(({ topic, payload }) => ({ topic, payload, resume: false }));
    // Gaps: each kept message no longer recent resumes the order at itself (bar the session's start), and so does the first recent one.
    const recent = new Set(window.recent);
    const older = window.kept.filter((k) => !recent.has(k)).map(({ topic, payload }) => ({ topic, payload, resume: !this.#o.rules.starts(topic) }));
    return [...older, ...window.recent.map(({ topic, payload }, i) => ({ topic, payload, resume: i === 0 }))];
  }

  /** Forget a session (this instance owns it now, or it ended). */
  forget(key: string): void {
    const window = this.#keys.get(key);
    this.#keys.delete(key);
    if (window !== undefined) this.#drop(window);
  }

  /** Messages kept for every key (tests, metrics). */
  get size(): number {
    let size = 0;
    for (const window of this.#keys.values()) size += window.recent.length;
    return size;
  }

  /** Payload bytes of the recent messages kept for every key (tests, metrics). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Old messages of sessions that went quiet; a window left with nothing but its kept messages stays (it is small). */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const window of this.#keys.values()) this.#evict(window, now);
    // Arrivals of messages dropped since: all the old ones now.
    while (this.#head < this.#arrivals.length && !this.#live(this.#arrivals[this.#head] as Arrival)) this.#head++;
    this.#compact();
  }

  #evict(window: KeyWindow, now: number): void {
    while (window.recent.length > 0 && ((window.recent[0] as Entry).at < now - this.#o.windowMs || window.recent.length > this.#o.maxPerKey)) {
      this.#bytes -= (window.recent.shift() as Entry).payload.length;
      window.broken = true;
    }
  }

  /** Over the total cap: drop the oldest recent message of any key; false when none is left. */
  #evictOldest(): boolean {
    while (this.#head < this.#arrivals.length) {
      const arrival = this.#arrivals[this.#head++] as Arrival;
      if (!this.#live(arrival)) continue;
      arrival.window.recent.shift();
      arrival.window.broken = true;
      this.#bytes -= arrival.entry.payload.length;
      this.#compact();
      return true;
    }
    return false;
  }

  /** Whether an arrival is still its window's oldest recent message (a key's messages leave in order). */
  #live(arrival: Arrival): boolean {
    return arrival.window.recent[0] === arrival.entry;
  }

  /** A window no longer kept (taken, forgotten, or replaced by a new session): its recent messages stop counting. */
  #drop(window: KeyWindow): void {
    for (const entry of window.recent) this.#bytes -= entry.payload.length;
    window.recent = [];
  }

  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#arrivals.length) return;
    this.#arrivals = this.#arrivals.slice(this.#head);
    this.#head = 0;
  }
}
