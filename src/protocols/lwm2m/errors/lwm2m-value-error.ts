// The error for a resource value that does not fit the resource's LwM2M data type.
import { describeValue } from '../describe-value.ts';

/**
 * A value that cannot be converted to the data type the object model gives its resource
 * (LwM2M Core TS 1.2 Appendix C): a string for a Float, 2 for a Boolean, bad base64 for Opaque, an
 * out-of-range integer. The message names the path, the expected type and the value received.
 */
export class Lwm2mValueError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'LWM2M_INVALID_VALUE';
  /** The resource path, e.g. `/3303/0/5700`. */
  readonly path: string;
  /** What was expected, e.g. `Float`, `Integer in 0..100`. */
  readonly expected: string;
  /** The value as received. */
  readonly received: unknown;

  constructor(path: string, expected: string, received: unknown) {
    super(`invalid value for ${path}: expected ${expected}, received ${describeValue(received)}`);
    this.name = 'Lwm2mValueError';
    this.path = path;
    this.expected = expected;
    this.received = received;
  }
}
