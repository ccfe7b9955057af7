/**
 * SessionStore: a protocol's per-device session state kept where every hub instance reads it, so
 * the instance that takes a session over (scale-out: its owner died or left) continues it instead of
 * making the device start again. PostgreSQL `protocol_sessions` implements it (src/storage/postgres/).
 */
import type { JsonObject } from '../device.ts';

export interface SessionStore {
  /** Write (replace) the state of session `key` of `protocol`. */
  save(protocol: string, key: string, state: JsonObject, updatedAt: number): Promise<void>;
  /** The state last saved, or undefined. */
  load(protocol: string, key: string): Promise<JsonObject | undefined>;
  /** Forget a session that ended (de-registered, expired). */
  remove(protocol: string, key: string): Promise<void>;
}
