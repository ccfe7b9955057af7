// The error for a text that is not a valid LwM2M path, or names an object or resource we do not know.

/**
 * A LwM2M path (`/o`, `/o/i`, `/o/i/r`, `/o/i/r/ri`) that is malformed, out of range, or — when the
 * caller asked for strict checking — names an object, resource or resource instance the object model
 * does not define. Whoever sent the path is at fault (LwM2M Transport TS 1.2 §6.4.4 answers 4.04/4.05).
 */
export class Lwm2mPathError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'LWM2M_INVALID_PATH';
  /** The offending path text, as received. */
  readonly path: string;
  /** What is wrong, in a few words, without the path. */
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`invalid LwM2M path ${JSON.stringify(path)}: ${reason}`);
    this.name = 'Lwm2mPathError';
    this.path = path;
    this.reason = reason;
  }
}
