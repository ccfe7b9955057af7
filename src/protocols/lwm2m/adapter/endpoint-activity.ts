// When each endpoint registered, last sent Register / Update, and was last heard from: the age figures of health answers.

/** Times (ms since epoch) of one endpoint's registration traffic. */
export interface ActivityTimes {
  readonly registeredAt: number;
  /** Last Register or Update (Core TS 1.2 §6.2.2: an Update renews the lifetime). */
  readonly updatedAt: number;
  /** Last message of any kind (answers and notifications included). */
  readonly heardAt: number;
}

/** Endpoint → activity times, kept while the registration lives. */
export class EndpointActivity {
  readonly #times = new Map<string, ActivityTimes>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  registered(endpoint: string): void {
    const now = this.#now();
    this.#times.set(endpoint, { registeredAt: now, updatedAt: now, heardAt: now });
  }

  updated(endpoint: string): void {
    const times = this.#times.get(endpoint);
    const now = this.#now();
    this.#times.set(endpoint, { registeredAt: times?.registeredAt ?? now, updatedAt: now, heardAt: now });
  }

  heard(endpoint: string): void {
    const times = this.#times.get(endpoint);
    if (times !== undefined) this.#times.set(endpoint, { ...times, heardAt: this.#now() });
  }

  get(endpoint: string): ActivityTimes | undefined {
    return this.#times.get(endpoint);
  }

  forget(endpoint: string): void {
    this.#times.delete(endpoint);
  }

  clear(): void {
    this.#times.clear();
  }
}
