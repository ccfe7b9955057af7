/** Errors a simulated device answers on the wire: JSON-RPC 2.0 error objects with numeric codes. */

/**
 * Codes the simulated devices use. JSON-RPC 2.0 §5.1 pre-defined codes, plus two from the
 * implementation-defined server range (-32000..-32099) whose meaning mirrors the hub's catalogue.
 */
export const DEVICE_RPC_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** The script ran and failed; `data` holds `{output, exit_code}`. */
  SCRIPT_FAILED: -32000,
  /** No sensor with that id is attached to this MCU (same number as the hub's DEVICE_NOT_FOUND). */
  SENSOR_NOT_FOUND: -32001,
  /** The board cannot do this (same number as the hub's UNSUPPORTED_OPERATION). */
  UNSUPPORTED_OPERATION: -32011,
  /** The hardware refused: e.g. the AS5600's one-time-programmable ZPOS was already burned 3 times. */
  HARDWARE_REFUSED: -32020,
} as const;

/** One reason a parameter was refused, as carried in `data.issues` of a -32602 error. */
export interface ParamIssue {
  readonly path: string;
  readonly message: string;
}

/** A failure the device reports to the hub as a JSON-RPC error object. */
export class DeviceRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'DeviceRpcError';
    this.code = code;
    this.data = data;
  }

  /** -32602 with `data.issues`. */
  static invalidParams(message: string, issues: readonly ParamIssue[]): DeviceRpcError {
    return new DeviceRpcError(DEVICE_RPC_CODES.INVALID_PARAMS, message, { issues });
  }

  /** The JSON-RPC 2.0 §5.1 error object. */
  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}
