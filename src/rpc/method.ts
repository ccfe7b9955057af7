/** A JSON-RPC method, defined once and exposed over HTTP, WebSocket, MQTT, OpenRPC and MCP. */
import type { Static, TSchema } from '@sinclair/typebox';
import type { Principal, Role } from '../core/principal.ts';

/** How a method acts on the world: drives MCP annotations and LLM actuation policy. */
export type MethodKind = 'read' | 'write' | 'destructive';

/** Who is calling, over what. Handlers use it for notifications and for device-originated calls. */
export interface CallContext {
  readonly transport: 'http' | 'websocket' | 'mqtt' | 'mcp' | 'llm' | 'internal';
  /** MQTT client id of the caller when it came in on `llmiot/v1/{client_id}/up`. */
  readonly clientId?: string;
  /** Which program or address, for the audit log (remote address, MCP client and session). */
  readonly client?: string;
  /**
   * Who is calling (API token, user, LLM client, device, local admin). The dispatcher refuses a
   * method whose role the principal lacks; without one (in-process calls) nothing is checked.
   */
  readonly principal?: Principal;
  /** Present when the transport can push JSON-RPC notifications to the caller (WebSocket, MQTT). */
  readonly notify?: (method: string, params: unknown) => void;
  /** Connection-scoped cleanup: runs when the caller's connection closes. */
  readonly onClose?: (cleanup: () => void) => void;
  /** Connection-scoped storage (e.g. live subscriptions of a WebSocket). */
  readonly session?: Map<string, unknown>;
  /** The audit chain this call belongs to (an LLM tool call): commands it sends carry it (audit.chain). */
  readonly chain?: string;
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
  /**
   * The least role that may call it. Default from the kind ({@link KIND_ROLE}); set it only where
   * the kind is not the whole story (management methods that only an admin may call).
   */
  readonly role?: Role;
  /** TypeBox schema of the `params` object (by-name params). */
  readonly params: P;
  readonly result: R;
  /** Examples for OpenRPC and docs: params as sent and the result returned. */
  readonly examples?: readonly { name: string; params: Static<P>; result?: Static<R> }[];
  /** Tags used to group the method (e.g. "device", "sensor", "data"). */
  readonly tags?: readonly string[];
  /** Devices may call this method, about themselves only; absent: devices may not call it. */
  readonly deviceAccess?: DeviceAccess;
  /**
   * The method a call runs on the caller's behalf, named by its params (batch.execute's `method`).
   * The caller needs that method's role as well as this one's: the dispatcher checks it, and audits
   * a refusal, before the handler runs (nothing is sent). Absent: the call runs no other method by name.
   */
  runsMethod?(params: Static<P>): string | undefined;
  handler(params: Static<P>, context: CallContext): Promise<Static<R>>;
}

/** Helper that keeps params/result inference when declaring a method. */
export function defineMethod<P extends TSchema, R extends TSchema>(definition: MethodDefinition<P, R>): MethodDefinition<P, R> {
  return definition;
}

/** The role a kind needs: reading is for viewers, writing for operators, destroying for admins. */
export const KIND_ROLE: Readonly<Record<MethodKind, Role>> = { read: 'viewer', write: 'operator', destructive: 'admin' };

/** The role a method needs: its own `role`, else the one its kind implies. */
export function requiredRole(definition: Pick<MethodDefinition, 'kind' | 'role'>): Role {
  return definition.role ?? KIND_ROLE[definition.kind];
}
