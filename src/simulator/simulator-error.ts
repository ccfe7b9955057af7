/** Local (never on the wire) failures of the simulator, with stable string codes. */

export const SIMULATOR_ERROR_CODES = [
  'REGISTER_REJECTED',
  'REQUEST_TIMEOUT',
  'CONNECTION_LOST',
  'STOPPED',
  'INVALID_OPTIONS',
] as const;
export type SimulatorErrorCode = (typeof SIMULATOR_ERROR_CODES)[number];

/** A simulator failure: a rejected registration, a request that timed out, a stop during start-up. */
export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;
  readonly data: unknown;

  constructor(code: SimulatorErrorCode, message: string, data?: unknown) {
    super(message);
    this.name = 'SimulatorError';
    this.code = code;
    this.data = data;
  }
}
