/**
 * CommitReceipt: the telemetry commits one device message started, and when that message may be
 * acknowledged (a QoS 1 PUBACK held by the bus, core/ports/mqtt-bus.ts MessageHandler). Acknowledged
 * means stored: the receipt settles once the message was handled and every commit it started settled.
 */
import { ERROR_CATALOGUE, HubError } from './errors.ts';

/** Failures a resend may cure: pipeline full, hub stopping, the store failing as a whole (STORE_ERROR `retryable`). */
const RETRY_CODES: ReadonlySet<number> = new Set([ERROR_CATALOGUE.OVERLOADED.rpc, ERROR_CATALOGUE.SHUTTING_DOWN.rpc]);

/** Whether a telemetry failure means "not taken, send it again" rather than "refused for good". */
export function worthResending(error: unknown): boolean {
  if (!(error instanceof HubError)) return false;
  return RETRY_CODES.has(error.rpcCode) || (error.code === 'STORE_ERROR' && isRetryable(error.data));
}

/** The same test on a JSON-RPC error object (an answer the dispatcher produced). */
export function errorWorthResending(error: { readonly code: number; readonly data?: unknown }): boolean {
  return RETRY_CODES.has(error.code) || (error.code === ERROR_CATALOGUE.STORE_ERROR.rpc && isRetryable(error.data));
}

function isRetryable(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { retryable?: unknown }).retryable === true;
}

/**
 * Collects the commits of one message while it is handled. `settled` fulfils once {@link close} was
 * called and every commit added before it is stored or refused for good (invalid points: sending them
 * again would fail the same way); it rejects when one was not taken ({@link worthResending}), so the
 * bus does not acknowledge the message and the device sends it again.
 */
export class CommitReceipt {
  readonly settled: Promise<void>;
  readonly #commits: Promise<void>[] = [];
  #close: () => void = () => {};
  #closed = false;

  constructor() {
    const closed = new Promise<void>((resolve) => (this.#close = resolve));
    this.settled = closed.then(() => Promise.all(this.#commits)).then(() => undefined);
    // Nobody may be waiting (a QoS 0 message): a rejection is the waiter's to handle, not the process's.
    this.settled.catch(() => {});
  }

  /** A commit the message started (the promise of DeviceIngress.report). */
  add(committed: Promise<void>): void {
    if (this.#closed) return;
    this.#commits.push(
      committed.then(undefined, (error: unknown) => {
        if (worthResending(error)) throw error;
      }),
    );
  }

  /** A report refused before anything was accepted (OVERLOADED, SHUTTING_DOWN thrown by DeviceIngress.report). */
  refused(error: unknown): void {
    this.add(Promise.reject(error));
  }

  /** The message is handled: no more commits will be added. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#close();
  }
}
