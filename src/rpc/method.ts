/** A JSON-RPC method, defined once and exposed over HTTP, WebSocket, MQTT, OpenRPC and MCP. */
import type { Static, TSchema } from '@sinclair/typebox';

/** How a method acts on the world: drives MCP annotations and LLM actuation policy. */
export type MethodKind = 'read' | 'write' | 'destructive';

/** Who is calling, over what. Handlers use it for notifications and for device-originated calls. */
export interface CallContext {
  readonly transport: 'http' | 'websocket' | 'mqtt' | 'mcp' | 'llm' | 'internal';
  /** MQTT client id of the caller when it came in on `llmiot/v1/{client_id}/up`. */
  readonly clientId?: string;
  /** Principal for the audit log (API client, LLM session, device). */
  readonly principal?: string;
  /** Present when the transport can push JSON-RPC notifications to the caller (WebSocket, MQTT). */
  readonly notify?: (method: string, params: unknown) => void;
  /** Connection-scoped cleanup: runs when the caller's connection closes. */
  readonly onClose?: (cleanup: () => void) => void;
  /** Connection-scoped storage (e.g. live subscriptions of a WebSocket). */
  readonly session?: Map<string, unknown>;
}

/**
 * What a device may do with a method when it calls it on its own native up topic (the call context
 * then carries its `clientId`). A method without it is for people and programs only: a device that
 * calls it gets METHOD_NOT_ALLOWED, whatever the broker let through.
 */
export interface DeviceAccess {
  /**
   * Params that name a device (UUID or hardware id): each one given must be the calling device or a
   * device attached to it; a hardware id not registered yet must be the caller's own or under it
   * (`{caller}/…`); a UUID naming no device passes (the handler answers DEVICE_NOT_FOUND). Nested
   * references (e.g. `readings[].sensor_id`) and rules of one method are checked by its handler.
   */
  readonly self: readonly string[];
}

export interface MethodDefinition<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly name: string;
  /** One or two sentences a person and an LLM can act on. */
  readonly summary: string;
  readonly description?: string;
  readonly kind: MethodKind;
  /** TypeBox schema of the `params` object (by-name params). */
  readonly params: P;
  readonly result: R;
  /** Examples for OpenRPC and docs: params as sent and the result returned. */
  readonly examples?: readonly { name: string; params: Static<P>; result?: Static<R> }[];
  /** Tags used to group the method (e.g. "device", "sensor", "data"). */
  readonly tags?: readonly string[];
  /** Devices may call this method, about themselves only; absent: devices may not call it. */
  readonly deviceAccess?: DeviceAccess;
  handler(params: Static<P>, context: CallContext): Promise<Static<R>>;
}

/** Helper that keeps params/result inference when declaring a method. */
export function defineMethod<P extends TSchema, R extends TSchema>(definition: MethodDefinition<P, R>): MethodDefinition<P, R> {
  return definition;
}
