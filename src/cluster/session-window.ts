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

export interface SessionWindowOptions {
  readonly rules: WindowRules;
  readonly windowMs: number;
  readonly maxPerKey: number;
  readonly now: () => number;
}

export class SessionWindow {
  readonly #o: SessionWindowOptions;
  readonly #keys = new Map<string, KeyWindow>();
  #sweptAt = 0;

  constructor(options: SessionWindowOptions) {
    this.#o = options;
  }

  /** Remember a message of session `key` that another instance handles. */
  add(key: string, topic: string, payload: Buffer): void {
    const now = this.#o.now();
    const entry: Entry = { topic, payload, at: now };
    let window = this.#keys.get(key);
    if (this.#o.rules.starts(topic)) {
      window = { kept: [entry], recent: [entry], broken: false };
      this.#keys.set(key, window);
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
    this.#evict(window, now);
    if (now - this.#sweptAt >= this.#o.windowMs) this.#sweep(now);
  }

  /** The messages to replay for `key`, in order (kept ones no longer recent first), and forget them. */
  take(key: string): ReplayMessage[] {
    const window = this.#keys.get(key);
    this.#keys.delete(key);
    if (window === undefined) return [];
    this.#evict(window, this.#o.now());
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
    this.#keys.delete(key);
  }

  /** Messages kept for every key (tests, metrics). */
  get size(): number {
    let size = 0;
    for (const window of this.#keys.values()) size += window.recent.length;
    return size;
  }

  /** Old messages of sessions that went quiet; a window left with nothing but its kept messages stays (it is small). */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const window of this.#keys.values()) this.#evict(window, now);
  }

  #evict(window: KeyWindow, now: number): void {
    while (window.recent.length > 0 && ((window.recent[0] as Entry).at < now - this.#o.windowMs || window.recent.length > this.#o.maxPerKey)) {
      window.recent.shift();
      window.broken = true;
    }
  }
}
