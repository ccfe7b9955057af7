/**
 * A bounded in-memory event store for one Streamable HTTP session: SSE events get ids, and a client
 * that lost its stream reconnects with `Last-Event-ID` and receives what it missed (MCP 2025-11-25
 * basic/transports §Resumability and Redelivery). Only the newest `capacity` events are kept.
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface Stored {
  readonly seq: number;
  readonly streamId: string;
  readonly message: JSONRPCMessage;
}

/** The SDK's EventStore over an array of the newest events; ids are sequence numbers. */
export class SessionEventStore implements EventStore {
  readonly #capacity: number;
  readonly #events: Stored[] = [];
  #seq = 0;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const seq = ++this.#seq;
    this.#events.push({ seq, streamId, message });
    if (this.#events.length > this.#capacity) this.#events.splice(0, this.#events.length - this.#capacity);
    return String(seq);
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.#find(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const last = this.#find(lastEventId);
    if (!last) return '';
    for (const event of this.#events) {
      // Priming events carry an empty message: they mark a position and are not redelivered.
      if (event.seq > last.seq && event.streamId === last.streamId && 'jsonrpc' in event.message) await send(String(event.seq), event.message);
    }
    return last.streamId;
  }

  #find(eventId: string): Stored | undefined {
    const seq = Number(eventId);
    return Number.isInteger(seq) ? this.#events.find((e) => e.seq === seq) : undefined;
  }
}
