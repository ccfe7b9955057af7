/** OAuthStore in memory: for hubs embedded in a program (and tests) that keep nothing on disk. */
import type { OAuthEntry, OAuthLookup, OAuthStore } from '../../core/ports/oauth-store.ts';

export class MemoryOAuthStore implements OAuthStore {
  readonly #entries = new Map<string, OAuthEntry>();

  async upsert(model: string, id: string, entry: OAuthEntry): Promise<void> {
    this.#entries.set(key(model, id), structuredClone({ ...entry, consumedAt: entry.consumedAt ?? null }));
  }

  async insertIfAbsent(model: string, id: string, entry: OAuthEntry): Promise<boolean> {
    if (this.#entries.has(key(model, id))) return false;
    await this.upsert(model, id, entry);
    return true;
  }

  async find(model: string, id: string): Promise<OAuthEntry | undefined> {
    const entry = this.#entries.get(key(model, id));
    return entry === undefined ? undefined : structuredClone(entry);
  }

  async findBy(model: string, lookup: OAuthLookup, value: string): Promise<OAuthEntry | undefined> {
    for (const [k, entry] of this.#entries) if (k.startsWith(`${model}\0`) && entry[lookup] === value) return structuredClone(entry);
    return undefined;
  }

  async consume(model: string, id: string, at: number): Promise<void> {
    const entry = this.#entries.get(key(model, id));
    if (entry !== undefined) this.#entries.set(key(model, id), { ...entry, consumedAt: at });
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#entries.delete(key(model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [k, entry] of this.#entries) if (entry.grantId === grantId) this.#entries.delete(k);
  }

  async deleteExpired(now: number): Promise<number> {
    let deleted = 0;
    for (const [k, entry] of this.#entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) {
        this.#entries.delete(k);
        deleted++;
      }
    }
    return deleted;
  }

  async close(): Promise<void> {}
}

const key = (model: string, id: string): string => `${model}\0${id}`;
