// Correlates downlink reqIDs with what is waiting for the device's answer on `up/resp`.
import type { Lwm2mOperationType } from './downlink-request.ts';
import type { Answer } from './operation-answer.ts';

/** One request sent on `dn` and not answered yet. */
export interface PendingRequest {
  readonly reqID: number;
  readonly endpoint: string;
  readonly msgType: Lwm2mOperationType;
  readonly path: string;
  /** The hub command this request serves (none for the hub's own requests, e.g. re-observations). */
  readonly commandId?: string;
  /** False when the values answered are not to be stored as telemetry (the caller stores them, e.g. `sensor.read`). */
  readonly storeValues?: boolean;
  readonly sentAt: number;
  /** Gets the resolved answer: typed content, or the error that ends the request. */
  readonly onAnswer: (answer: Answer) => void;
}

/** The hub's own requests that nobody waits for are forgotten after this long. */
const INTERNAL_REQUEST_TTL_MS = 10 * 60_000;
const MAX_REQ_ID = 2 ** 31 - 1;

/** reqID → pending request. reqIDs are positive integers, unique per hub process (they wrap at 2^31). */
export class RequestTracker {
  readonly #pending = new Map<number, PendingRequest>();
  readonly #now: () => number;
  #next = 1;
  #added = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Allocate a reqID and remember the request. */
  add(request: Omit<PendingRequest, 'reqID' | 'sentAt'>): PendingRequest {
    if (++this.#added % 256 === 0) this.#sweep();
    let reqID = this.#next;
    while (this.#pending.has(reqID)) reqID = reqID >= MAX_REQ_ID ? 1 : reqID + 1;
    this.#next = reqID >= MAX_REQ_ID ? 1 : reqID + 1;
    const pending: PendingRequest = { ...request, reqID, sentAt: this.#now() };
    this.#pending.set(reqID, pending);
    return pending;
  }

  peek(reqID: number): PendingRequest | undefined {
    return this.#pending.get(reqID);
  }

  take(reqID: number): PendingRequest | undefined {
    const pending = this.#pending.get(reqID);
    this.#pending.delete(reqID);
    return pending;
  }

  /** Forget the requests of a finished command; returns how many. */
  dropCommand(commandId: string): number {
    return this.#drop((p) => p.commandId === commandId);
  }

  /** Forget every request to an endpoint (de-registered, expired, disconnected). */
  dropEndpoint(endpoint: string): number {
    return this.#drop((p) => p.endpoint === endpoint);
  }

  clear(): void {
    this.#pending.clear();
  }

  #sweep(): void {
    const oldest = this.#now() - INTERNAL_REQUEST_TTL_MS;
    this.#drop((p) => p.commandId === undefined && p.sentAt < oldest);
  }

  #drop(match: (pending: PendingRequest) => boolean): number {
    let count = 0;
    for (const [reqID, pending] of this.#pending) {
      if (!match(pending)) continue;
      this.#pending.delete(reqID);
      count++;
    }
    return count;
  }
}
