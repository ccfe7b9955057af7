/** Device-side correlation of JSON-RPC requests with the hub's responses, with per-request timeouts. */
import { HubRpcError } from './hub-rpc-error.ts';
import type { JsonRpcErrorObject, JsonRpcId } from './json-rpc.ts';
import { SimulatorError } from './simulator-error.ts';

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Numbered requests waiting for a response on the down topic. */
export class PendingRequests {
  #nextId = 1;
  readonly #pending = new Map<JsonRpcId, Pending>();

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Reserve an id for `method`. The promise resolves with the `result`, rejects with HubRpcError on an
   * error response or with SimulatorError REQUEST_TIMEOUT after `timeoutMs`.
   */
  open(method: string, timeoutMs: number): { id: number; response: Promise<unknown> } {
    const id = this.#nextId++;
    const response = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SimulatorError('REQUEST_TIMEOUT', `No answer to ${method} within ${timeoutMs} ms`, { id }));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer });
    });
    return { id, response };
  }

  /** Deliver a response; false when no request with that id is waiting (late or foreign). */
  settle(id: JsonRpcId, result: unknown, error: JsonRpcErrorObject | undefined): boolean {
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve(result);
    else pending.reject(new HubRpcError(pending.method, error));
    return true;
  }

  /** Fail every waiting request (connection lost, device stopped). */
  rejectAll(error: Error): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}
