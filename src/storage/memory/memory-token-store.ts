/** TokenStore in memory: for hubs embedded in a program (and tests) that keep nothing on disk. */
import type { ApiTokenRecord, TokenStore } from '../../core/ports/token-store.ts';

export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, ApiTokenRecord>();

  async addToken(record: ApiTokenRecord): Promise<void> {
    if ([...this.#tokens.values()].some((t) => t.id === record.id || t.hash === record.hash)) throw new Error(`token ${record.id} already exists`);
    this.#tokens.set(record.id, { ...record });
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    return [...this.#tokens.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async tokenByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    return [...this.#tokens.values()].find((t) => t.hash === hash);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const token = this.#tokens.get(id);
    if (token === undefined || token.revokedAt !== null) return false;
    this.#tokens.set(id, { ...token, revokedAt: at });
    return true;
  }

  async hasCredentials(): Promise<boolean> {
    return [...this.#tokens.values()].some((t) => t.revokedAt === null);
  }

  async close(): Promise<void> {}
}
