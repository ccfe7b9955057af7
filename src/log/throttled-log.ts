/** ThrottledLog: warn lines for refusals that a client can repeat at will, at most one per client per interval. */
import type { Logger } from './logger.ts';

/** Options of {@link ThrottledLog}. */
export interface ThrottledLogOptions {
  readonly logger: Pick<Logger, 'warn'>;
  /** Shortest time between two lines for one client; default 10 s. */
  readonly intervalMs?: number;
  /** Most lines for all clients together per interval (a flood from many client ids); default 100. */
  readonly maxLinesPerInterval?: number;
  /** Clients remembered at once; the least recently logged are forgotten first. Default 10,000. */
  readonly maxClients?: number;
  readonly now?: () => number;
}

interface ClientState {
  loggedAt: number;
  suppressed: number;
}

/** Default {@link ThrottledLogOptions.intervalMs}. */
export const REJECTION_LOG_INTERVAL_MS = 10_000;

/**
 * The first refusal of a client is logged; later ones within the interval are only counted, and the
 * next line for that client carries `suppressed`: how many were not logged since the previous line.
 * A device sending 40,000 bad messages writes a handful of lines, not 40,000; the Prometheus counters
 * still count every refusal. Memory is bounded by `maxClients`.
 */
export class ThrottledLog {
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #interval: number;
  readonly #maxLines: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  readonly #clients = new Map<string, ClientState>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #linesInWindow = 0;

  constructor(options: ThrottledLogOptions) {
    this.#logger = options.logger;
    this.#interval = options.intervalMs ?? REJECTION_LOG_INTERVAL_MS;
    this.#maxLines = options.maxLinesPerInterval ?? 100;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Log `message` for `client` unless it logged less than an interval ago; true when a line was written. */
  warn(client: string, fields: object, message: string): boolean {
    const now = this.#now();
    const state = this.#clients.get(client);
    if (state !== undefined && now - state.loggedAt < this.#interval) {
      state.suppressed++;
      return false;
    }
    if (now - this.#windowStart >= this.#interval) {
      this.#windowStart = now;
      this.#linesInWindow = 0;
    }
    if (this.#linesInWindow >= this.#maxLines) {
      if (state !== undefined) state.suppressed++;
      else this.#remember(client, { loggedAt: Number.NEGATIVE_INFINITY, suppressed: 1 });
      return false;
    }
    this.#linesInWindow++;
    const suppressed = state?.suppressed ?? 0;
    this.#remember(client, { loggedAt: now, suppressed: 0 });
    this.#logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
    return true;
  }

  /** Re-insert so the Map's order is least recently logged first; forget the oldest past the cap. */
  #remember(client: string, state: ClientState): void {
    this.#clients.delete(client);
    this.#clients.set(client, state);
    if (this.#clients.size > this.#maxClients) {
      const oldest = this.#clients.keys().next().value;
      if (oldest !== undefined) this.#clients.delete(oldest);
    }
  }
}
