/**
 * The error catalogue: every error the hub reports, with its stable string code and the numeric
 * JSON-RPC code it carries on the wire. docs/errors.md lists the same entries (test/errors-doc.test.ts).
 */

export const ERROR_CATALOGUE = {
  // JSON-RPC 2.0 §5.1 pre-defined errors.
  PARSE_ERROR: { rpc: -32700, summary: 'Invalid JSON was received.' },
  INVALID_REQUEST: { rpc: -32600, summary: 'The JSON sent is not a valid JSON-RPC 2.0 request object.' },
  METHOD_NOT_FOUND: { rpc: -32601, summary: 'The method does not exist.' },
  INVALID_PARAMS: { rpc: -32602, summary: 'Invalid method parameters; `data.issues` lists each field and why.' },
  INTERNAL_ERROR: { rpc: -32603, summary: 'An unexpected failure inside the hub; the log has the detail.' },
  // Hub errors, JSON-RPC 2.0 §5.1 server-error range -32000..-32099.
  DEVICE_NOT_FOUND: { rpc: -32001, summary: 'No device with that id (or hardware id) is registered.' },
  DEVICE_OFFLINE: { rpc: -32002, summary: 'The device is offline; the command was not sent.' },
  COMMAND_TIMEOUT: { rpc: -32003, summary: 'The device did not answer within the timeout; the command ends `timed_out`.' },
  DEVICE_ERROR: { rpc: -32004, summary: 'The device answered the command with an error; `data.device_error` holds it.' },
  SCHEMA_VERSION_UNSUPPORTED: { rpc: -32005, summary: 'The schema version announced has a major version the hub does not know.' },
  PAYLOAD_TOO_LARGE: { rpc: -32006, summary: 'The message exceeds the configured maximum size.' },
  COMMAND_NOT_FOUND: { rpc: -32007, summary: 'No command with that id was recorded.' },
  OVERLOADED: { rpc: -32008, summary: 'The telemetry pipeline is full; the points were not accepted. Retry later.' },
  DEVICE_DISCONNECTED: { rpc: -32009, summary: 'The device disconnected before it answered; the command ends `failed`.' },
  STORE_ERROR: { rpc: -32010, summary: 'The store could not complete the operation.' },
  UNSUPPORTED_OPERATION: { rpc: -32011, summary: 'The device or its protocol cannot perform this operation.' },
  SUBSCRIPTION_NOT_FOUND: { rpc: -32012, summary: 'No live subscription with that id on this connection.' },
  SHUTTING_DOWN: { rpc: -32013, summary: 'The hub is shutting down and accepts no new work.' },
  NO_DEVICE_MATCHED: { rpc: -32014, summary: 'The filter (or id list) is valid but selects no device; `data` echoes it.' },
  METHOD_NOT_ALLOWED: { rpc: -32015, summary: 'A device called a method devices may not call, or named a device other than itself and its attached devices; `data` says which.' },
  LIMIT_REACHED: { rpc: -32016, summary: 'A configured limit is reached (devices per hub, live subscriptions per connection); `data` names it.' },
  LLM_NOT_CONFIGURED: { rpc: -32020, summary: 'No LLM provider is configured; the message says which flags or variables set one.' },
  POLICY_DENIED: { rpc: -32021, summary: 'The actuation policy does not let an LLM perform this action.' },
  LLM_PROVIDER_ERROR: { rpc: -32023, summary: 'The LLM provider failed or answered something unusable; `data` has its reason.' },
  UNAUTHENTICATED: { rpc: -32030, summary: 'The hub requires credentials and the request carried none, or an unknown, expired or revoked one.' },
  FORBIDDEN: { rpc: -32031, summary: "The caller's role is below the role the method needs; `data` names both." },
  CREDENTIALS_EXIST: { rpc: -32032, summary: 'The device already holds credentials; rotate or revoke them instead.' },
  CREDENTIALS_NOT_FOUND: { rpc: -32033, summary: 'No credentials (nor enrollment) are recorded for that hardware id.' },
  ENVELOPE_REFUSED: { rpc: -32040, summary: 'A safety envelope refuses this device write; `data.rule` names the rule.' },
  APPROVAL_NOT_FOUND: { rpc: -32041, summary: 'No approval with that id.' },
  APPROVAL_NOT_PENDING: { rpc: -32042, summary: 'The approval was already decided or has expired; `data.status` says which.' },
  GRANT_NOT_FOUND: { rpc: -32043, summary: 'No live grant with that id (unknown, or already revoked).' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A failure with a catalogued code. Messages read "what failed: which thing". */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, data?: unknown) {
    super(message);
    this.name = 'HubError';
    this.code = code;
    this.data = data;
  }

  get rpcCode(): number {
    return ERROR_CATALOGUE[this.code].rpc;
  }
}

/** The JSON-RPC 2.0 error object (§5.1) — the only error shape that crosses the wire. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** Map any thrown value to a wire error. Unknown failures are -32603, never anything else. */
export function toRpcErrorObject(error: unknown): RpcErrorObject {
  if (error instanceof HubError) {
    return error.data === undefined
      ? { code: error.rpcCode, message: error.message }
      : { code: error.rpcCode, message: error.message, data: error.data };
  }
  return { code: ERROR_CATALOGUE.INTERNAL_ERROR.rpc, message: 'Internal error' };
}

/** A wire error object for a catalogued code (used where errors are recorded rather than thrown). */
export function errorObject(code: ErrorCode, message: string, data?: unknown): RpcErrorObject {
  return data === undefined ? { code: ERROR_CATALOGUE[code].rpc, message } : { code: ERROR_CATALOGUE[code].rpc, message, data };
}

/** The catalogued code carrying a numeric JSON-RPC code, if any. */
export function codeForRpc(rpc: number): ErrorCode | undefined {
  return (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).find((code) => ERROR_CATALOGUE[code].rpc === rpc);
}
