/** A device's JSON-RPC endpoint: its requests to the hub (with retries) and its answers to the hub's commands. */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVICE_RPC_CODES, DeviceRpcError } from './device-rpc-error.ts';
import { HubRpcError } from './hub-rpc-error.ts';
import { classify, errorMessage, requestMessage, resultMessage, type OutgoingMessage } from './json-rpc.ts';
import { PendingRequests } from './pending-requests.ts';
import { hash01 } from './random.ts';
import type { JsonObject } from './sensor-model.ts';
import { SimulatorError } from './simulator-error.ts';

/** Counters the endpoint updates. */
export interface EndpointCounters {
  responses: number;
  commandsAnswered: number;
  commandsFailed: number;
  errors: number;
}

export interface RpcEndpointOptions {
  /** Put a message on the up topic; resolves when acknowledged (never rejects). */
  readonly publish: (message: OutgoingMessage | OutgoingMessage[]) => Promise<unknown>;
  /** Answer one hub command; throws DeviceRpcError. */
  readonly answer: (method: string, params: unknown) => JsonObject;
  readonly onCommand: (method: string, ok: boolean) => void;
  /**
   * Called right after the answers to one down message are computed: what they asked the device to do
   * afterwards (a reboot), run once those answers are acknowledged. Taken per message, so a message
   * handled meanwhile never runs an action another message's answer is still waiting for.
   */
  readonly afterAnswers?: () => (() => Promise<void>) | undefined;
  readonly counters: EndpointCounters;
  readonly seed: number;
  readonly requestTimeoutMs: number;
  readonly retry: { readonly initialMs: number; readonly maxMs: number; readonly maxAttempts: number };
}

export class RpcEndpoint {
  readonly #options: RpcEndpointOptions;
  readonly #pending = new PendingRequests();

  constructor(options: RpcEndpointOptions) {
    this.#options = options;
  }

  /**
   * Send a request and await its result. Retries with exponential backoff (and seeded jitter) on timeouts and
   * retryable hub errors; throws HubRpcError on other error responses, SimulatorError CONNECTION_LOST when
   * `current()` turns false or the connection drops, REQUEST_TIMEOUT when the attempts run out.
   */
  async request(method: string, params: JsonObject, current: () => boolean, signal: AbortSignal): Promise<unknown> {
    const { initialMs, maxMs, maxAttempts } = this.#options.retry;
    const counters = this.#options.counters;
    let delay = initialMs;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted || !current()) throw new SimulatorError('CONNECTION_LOST', `Session ended: ${method}`);
      const { id, response } = this.#pending.open(method, this.#options.requestTimeoutMs);
      void this.#options.publish(requestMessage(method, params, id));
      try {
        const result = await response;
        counters.responses++;
        return result;
      } catch (error) {
        if (error instanceof HubRpcError) counters.responses++;
        const lost = error instanceof SimulatorError && error.code === 'CONNECTION_LOST';
        if (!lost) counters.errors++;
        const retry = (error instanceof HubRpcError && error.retryable) || (error instanceof SimulatorError && error.code === 'REQUEST_TIMEOUT');
        if (!retry || attempt >= maxAttempts) throw error;
      }
      await sleep(delay * (0.8 + 0.4 * hash01(this.#options.seed, attempt)), undefined, { signal });
      delay = Math.min(delay * 2, maxMs);
    }
  }

  /** Fail every request waiting for an answer. */
  abandon(error: Error): void {
    this.#pending.rejectAll(error);
  }

  /**
   * Handle one payload from the down topic: settle responses, answer requests (and batches, JSON-RPC 2.0 §6).
   * Resolves once the answers are acknowledged and what they asked for afterwards (`afterAnswers`) is done.
   */
  async receive(payload: Buffer): Promise<void> {
    const reply = this.#reply(payload);
    const after = this.#options.afterAnswers?.();
    if (reply !== undefined) await this.#options.publish(reply);
    await after?.();
  }

  /** The answer to one down message (nothing for responses and notifications). */
  #reply(payload: Buffer): OutgoingMessage | OutgoingMessage[] | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#options.counters.errors++;
      return errorMessage(null, { code: DEVICE_RPC_CODES.PARSE_ERROR, message: 'Parse error: payload is not JSON' });
    }
    if (!Array.isArray(parsed)) return this.#handle(parsed);
    if (parsed.length === 0) return errorMessage(null, { code: DEVICE_RPC_CODES.INVALID_REQUEST, message: 'Invalid Request: empty batch' });
    const replies = parsed.map((item) => this.#handle(item)).filter((r): r is OutgoingMessage => r !== undefined);
    return replies.length > 0 ? replies : undefined;
  }

  #handle(value: unknown): OutgoingMessage | undefined {
    const message = classify(value);
    const counters = this.#options.counters;
    switch (message.kind) {
      case 'response':
        this.#pending.settle(message.id, message.result, message.error);
        return undefined;
      case 'notification':
        // The protocol defines no hub→device notifications; JSON-RPC 2.0 §4.1 forbids answering one.
        return undefined;
      case 'invalid':
        counters.errors++;
        return errorMessage(message.id, { code: DEVICE_RPC_CODES.INVALID_REQUEST, message: `Invalid Request: ${message.reason}` });
      case 'request':
        counters.commandsAnswered++;
        try {
          const result = this.#options.answer(message.method, message.params);
          this.#options.onCommand(message.method, true);
          return resultMessage(message.id, result);
        } catch (error) {
          counters.commandsFailed++;
          this.#options.onCommand(message.method, false);
          const rpc = error instanceof DeviceRpcError ? error : new DeviceRpcError(DEVICE_RPC_CODES.INTERNAL_ERROR, 'Internal error');
          return errorMessage(message.id, rpc.toJSON());
        }
    }
  }
}
