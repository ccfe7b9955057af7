/** The hub answered one of the device's requests (device.register, sensor.discover, …) with a JSON-RPC error. */
import type { JsonRpcErrorObject } from './json-rpc.ts';

/** A JSON-RPC error response from the hub, kept with its numeric code and data. */
export class HubRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(method: string, error: JsonRpcErrorObject) {
    super(`Hub refused ${method}: ${error.message} (${error.code})`);
    this.name = 'HubRpcError';
    this.code = error.code;
    this.data = error.data;
  }

  /** Overloaded, internal error or shutting down: worth asking again later (hub codes -32603, -32008, -32013). */
  get retryable(): boolean {
    return this.code === -32603 || this.code === -32008 || this.code === -32013;
  }
}
