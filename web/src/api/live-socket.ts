// One WebSocket to /ws for the whole page: JSON-RPC calls and data.subscribe streams, re-subscribed after a reconnect.
import type { Reading } from './types.ts';

type Listener = (readings: readonly Reading[]) => void;

interface Stream {
  readonly selection: object;
  readonly listener: Listener;
  subscriptionId?: string;
}

type ConnectionState = 'connecting' | 'open' | 'closed';

const RECONNECT_MS = [500, 1_000, 2_000, 5_000, 10_000];

class LiveSocket {
  #socket: WebSocket | undefined;
  #state: ConnectionState = 'closed';
  #id = 0;
  #attempt = 0;
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #streams = new Set<Stream>();
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();

  get state(): ConnectionState {
    return this.#state;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Stream `data.telemetry` readings of `selection` (data.subscribe params) until the returned function is called. */
  subscribe(selection: object, listener: Listener): () => void {
    const stream: Stream = { selection, listener };
    this.#streams.add(stream);
    if (this.#state === 'open') void this.#start(stream);
    else this.#connect();
    return () => {
      this.#streams.delete(stream);
      if (stream.subscriptionId !== undefined && this.#state === 'open') {
        void this.#call('data.unsubscribe', { subscription_id: stream.subscriptionId }).catch(() => undefined);
      }
      if (this.#streams.size === 0) this.close();
    };
  }

  close(): void {
    clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    this.#setState('closed');
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #connect(): void {
    if (this.#socket !== undefined) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // The session cookie goes with the upgrade; the hub checks Origin, since a browser sends no preflight for WebSocket.
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.#socket = socket;
    this.#setState('connecting');
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setState('open');
      for (const stream of this.#streams) void this.#start(stream);
    };
    socket.onmessage = (event) => this.#receive(String(event.data));
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      for (const pending of this.#pending.values()) pending.reject(new Error('live connection closed'));
      this.#pending.clear();
      for (const stream of this.#streams) delete stream.subscriptionId;
      this.#setState('closed');
      if (this.#streams.size > 0) {
        const delay = RECONNECT_MS[Math.min(this.#attempt++, RECONNECT_MS.length - 1)];
        this.#reconnect = setTimeout(() => this.#connect(), delay);
      }
    };
  }

  async #start(stream: Stream): Promise<void> {
    try {
      const result = (await this.#call('data.subscribe', stream.selection)) as { subscription_id: string };
      if (this.#streams.has(stream)) stream.subscriptionId = result.subscription_id;
      else void this.#call('data.unsubscribe', { subscription_id: result.subscription_id }).catch(() => undefined);
    } catch {
      // The connection closed meanwhile: onclose re-subscribes after reconnecting.
    }
  }

  #call(method: string, params: object): Promise<unknown> {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('live connection not open'));
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  #receive(text: string): void {
    let message: { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: { subscription_id?: string; readings?: Reading[] } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.method === 'data.telemetry' && message.params !== undefined) {
      const { subscription_id: id, readings = [] } = message.params;
      for (const stream of this.#streams) if (stream.subscriptionId === id) stream.listener(readings);
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    if (message.error !== undefined) pending?.reject(new Error(message.error.message));
    else pending?.resolve(message.result);
  }
}

/** The page's one live connection. */
export const liveSocket = new LiveSocket();
