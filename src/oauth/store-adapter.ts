/**
 * oidc-provider's adapter contract over the hub's OAuthStore: one adapter per model (Client, Grant,
 * Session, AuthorizationCode, RefreshToken, Interaction, …), records kept as JSON with their expiry,
 * so clients, grants and refresh tokens survive a restart and are shared by hub instances on one
 * PostgreSQL. An expired record reads as absent; a periodic purge deletes them.
 */
import type { OAuthEntry, OAuthStore } from '../core/ports/oauth-store.ts';

/** A record as oidc-provider hands it over (AdapterPayload). */
type Payload = Record<string, unknown> & { grantId?: unknown; uid?: unknown; userCode?: unknown; consumed?: unknown };

/** The adapter factory oidc-provider's `adapter` option takes: `(model) => adapter`. */
export function storeAdapter(store: OAuthStore, now: () => number = Date.now): (model: string) => StoreAdapter {
  return (model) => new StoreAdapter(model, store, now);
}

export class StoreAdapter {
  readonly #model: string;
  readonly #store: OAuthStore;
  readonly #now: () => number;

  constructor(model: string, store: OAuthStore, now: () => number) {
    this.#model = model;
    this.#store = store;
    this.#now = now;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    await this.#store.upsert(this.#model, id, {
      payload,
      grantId: text(payload.grantId),
      // A Session is looked up by its uid (the session cookie holds the id, interactions the uid).
      uid: this.#model === 'Session' ? text(payload.uid) : undefined,
      userCode: text(payload.userCode),
      expiresAt: typeof expiresIn === 'number' ? this.#now() + expiresIn * 1000 : null,
      consumedAt: typeof payload.consumed === 'number' ? payload.consumed : null,
    });
  }

  async find(id: string): Promise<Payload | undefined> {
    return this.#live(await this.#store.find(this.#model, id));
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    return this.#live(await this.#store.findBy(this.#model, 'uid', uid));
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    return this.#live(await this.#store.findBy(this.#model, 'userCode', userCode));
  }

  async consume(id: string): Promise<void> {
    await this.#store.consume(this.#model, id, Math.floor(this.#now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    await this.#store.destroy(this.#model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#store.revokeByGrantId(grantId);
  }

  #live(entry: OAuthEntry | undefined): Payload | undefined {
    if (entry === undefined || (entry.expiresAt !== null && entry.expiresAt <= this.#now())) return undefined;
    return typeof entry.consumedAt === 'number' ? { ...entry.payload, consumed: entry.consumedAt } : { ...entry.payload };
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
