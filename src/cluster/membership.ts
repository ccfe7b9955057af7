/**
 * Membership: the live hub instances, agreed on from the database. Each instance renews a lease row
 * (`cluster_members`, expiry on the database clock) every third of the lease; a member whose lease
 * lapsed (kill -9, network loss) drops out of every instance's list at their next read. Joins and
 * clean leaves are also announced over NOTIFY so peers re-read at once.
 */
import type { ClusterMemberRow, PostgresClusterStore } from '../storage/postgres/postgres-cluster-store.ts';
import type { Logger } from '../log/logger.ts';
import { rendezvousOwner } from './rendezvous.ts';

export interface MembershipOptions {
  readonly store: PostgresClusterStore;
  readonly instance: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  readonly now: () => number;
  /** Whether this instance has live telemetry subscribers (published in its row). */
  readonly watching: () => boolean;
  /** Announce a change of this member (join, leave, watching) to peers. */
  readonly announce: () => void;
}

export class Membership {
  readonly #o: MembershipOptions;
  readonly #startedAt: number;
  #members: readonly ClusterMemberRow[] = [];
  #names: readonly string[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The members as of one renewal period ago: an instance takes a session over only once every peer can have seen it join. */
  #settled: readonly string[] = [];
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #settledOwners = new Map<string, string | undefined>();
  #listeners = new Set<(previous: readonly string[], current: readonly string[]) => void>();
  #owners = new Map<string, string | undefined>();
  #reading: Promise<void> | undefined;
  #again = false;

  constructor(options: MembershipOptions) {
    this.#o = options;
    this.#startedAt = options.now();
  }

  get instance(): string {
    return this.#o.instance;
  }

  /** Live members' names, sorted. */
  get members(): readonly string[] {
    return this.#names;
  }

  /** The settled members (those of one renewal period ago), sorted. */
  get settled(): readonly string[] {
    return this.#settled;
  }

  /** Whether any live peer (not this instance) has telemetry subscribers. */
  get peersWatching(): boolean {
    return this.#members.some((m) => m.watching && m.instance !== this.#o.instance);
  }

  /** Join (first lease) and renew every third of the lease. */
  async start(): Promise<void> {
    await this.refresh();
    this.#o.announce();
    this.#timer = setInterval(() => void this.refresh(), this.#renewEveryMs());
    this.#timer.unref?.();
  }

  /** The owner of `key` among the live members (cached until the members change). */
  ownerOf(key: string): string | undefined {
    if (this.#owners.has(key)) return this.#owners.get(key);
    const owner = rendezvousOwner(key, this.#names);
    this.#owners.set(key, owner);
    return owner;
  }

  /**
   * The owner of `key` among the settled members (those of one renewal period ago). A session this
   * instance gains is handled only once it owns it among both the current and the settled members:
   * the instance losing it has seen the change by then (it re-reads every renewal, and at once on
   * the joiner's NOTIFY), so two instances never handle one session at the same time.
   */
  settledOwnerOf(key: string): string | undefined {
    if (this.#settledOwners.has(key)) return this.#settledOwners.get(key);
    const owner = rendezvousOwner(key, this.#settled);
    this.#settledOwners.set(key, owner);
    return owner;
  }

  /** Called with the previous and current settled member lists after every change. */
  onChange(listener: (previous: readonly string[], current: readonly string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Renew the lease and re-read the members (coalesced: one read at a time, one more if asked meanwhile). */
  refresh(): Promise<void> {
    if (this.#reading !== undefined) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    let rows: ClusterMemberRow[];
    try {
      rows = await this.#o.store.heartbeat(this.#o.instance, this.#startedAt, this.#o.leaseMs, this.#o.watching());
      if (Math.random() < 0.01) await this.#o.store.sweep(this.#o.now());
    } catch (error) {
      this.#o.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'cluster: membership lease not renewed');
      return;
    }
    this.#members = rows;
    const names = rows.map((r) => r.instance);
    if (names.join('\0') === this.#names.join('\0')) return;
    const previous = this.#names;
    this.#names = names;
    this.#owners = new Map();
    this.#o.logger.info({ instance: this.#o.instance, members: names, previous }, 'cluster: members changed');
    if (this.#settleTimer !== undefined) clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => this.#settle(), this.#renewEveryMs() + 100);
    this.#settleTimer.unref?.();
  }

  #settle(): void {
    this.#settleTimer = undefined;
    const previous = this.#settled;
    this.#settled = this.#names;
    this.#settledOwners = new Map();
    for (const listener of [...this.#listeners]) listener(previous, this.#settled);
  }

  #renewEveryMs(): number {
    return Math.max(50, Math.floor(this.#o.leaseMs / 3));
  }

  /** Leave at once (clean stop). */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#settleTimer !== undefined) clearTimeout(this.#settleTimer);
    this.#timer = undefined;
    await this.#reading?.catch(() => {});
    await this.#o.store.leave(this.#o.instance).catch(() => {});
    this.#o.announce();
  }
}
