/** UserStore in memory: for hubs embedded in a program (and tests) that keep nothing on disk. */
import type { UserRecord, UserStore } from '../../core/ports/user-store.ts';

export class MemoryUserStore implements UserStore {
  readonly #users = new Map<string, UserRecord>();

  async addUser(record: UserRecord): Promise<void> {
    if (this.#users.has(record.name)) throw new Error(`user ${record.name} already exists`);
    this.#users.set(record.name, { ...record });
  }

  async listUsers(): Promise<UserRecord[]> {
    return [...this.#users.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async userByName(name: string): Promise<UserRecord | undefined> {
    return this.#users.get(name);
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    const user = this.#users.get(name);
    if (user === undefined) return false;
    this.#users.set(name, { ...user, passwordHash });
    return true;
  }

  async removeUser(name: string): Promise<boolean> {
    return this.#users.delete(name);
  }

  async hasUsers(): Promise<boolean> {
    return [...this.#users.values()].some((u) => u.disabledAt === null);
  }

  async close(): Promise<void> {}
}
