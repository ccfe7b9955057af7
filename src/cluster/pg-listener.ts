/**
 * PgListener: one dedicated PostgreSQL connection that LISTENs on the cluster channel, reconnecting
 * after a loss. Notifications sent while it was away are gone, so every reconnection is reported
 * (the registry then reloads what it may have missed).
 */
import pg from 'pg';
import type { Logger } from '../log/logger.ts';

export interface PgListenerOptions {
  readonly url: string;
  readonly channel: string;
  readonly logger: Logger;
  readonly onNotification: (payload: string) => void;
  /** After a reconnection (not the first connection): notifications may have been missed. */
  readonly onReconnected: () => void;
  /** Delay between reconnection attempts; default 1 s. */
  readonly retryMs?: number;
}

export class PgListener {
  readonly #o: PgListenerOptions;
  #client: pg.Client | undefined;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  private constructor(options: PgListenerOptions) {
    this.#o = options;
  }

  /** Connect and LISTEN; rejects when the first connection fails. */
  static async start(options: PgListenerOptions): Promise<PgListener> {
    const listener = new PgListener(options);
    await listener.#connect();
    return listener;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#o.url, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === this.#o.channel && message.payload !== undefined) this.#o.onNotification(message.payload);
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    await client.connect();
    // The channel name is an identifier: quoted, from the schema name (letters, digits, _).
    await client.query(`LISTEN "${this.#o.channel}"`);
    this.#client = client;
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.end().catch(() => {});
    this.#o.logger.warn({ err: error.message, channel: this.#o.channel }, 'cluster: PostgreSQL LISTEN connection lost; reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      this.#connect().then(
        () => {
          this.#o.logger.info({ channel: this.#o.channel }, 'cluster: PostgreSQL LISTEN connection restored');
          this.#o.onReconnected();
        },
        () => this.#schedule(),
      );
    }, this.#o.retryMs ?? 1_000);
    this.#retry.unref?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
