// The error for a registration message that is not a valid LwM2M registration.

/**
 * A registration whose envelope is wrong: no endpoint, a lifetime that is not a non-negative integer,
 * an unsupported LwM2M version, an unknown binding letter, no object list, an object list that names
 * /0 (LwM2M Core TS 1.2 §6.2.1). Wrongly typed resource values raise `Lwm2mValueError` instead, and bad
 * paths `Lwm2mPathError`, so the caller can tell which part of the message is wrong.
 */
export class Lwm2mRegistrationError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'LWM2M_INVALID_REGISTRATION';
  /** The registration field at fault, e.g. `lifetime`, `objects.3`. */
  readonly field: string;
  /** What is wrong, in a few words. */
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`invalid LwM2M registration: ${field}: ${reason}`);
    this.name = 'Lwm2mRegistrationError';
    this.field = field;
    this.reason = reason;
  }
}
