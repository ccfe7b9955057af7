// The error for a read, write or execute that the target resource's definition does not permit.

/** The operations `checkOperation` knows. */
export type Lwm2mOperation = 'read' | 'write' | 'execute';

/**
 * An operation the object model forbids on that path: writing a read-only resource (/3/0/0
 * Manufacturer), executing a readable one, reading an executable one, touching a Bootstrap-only
 * /0 resource, executing an object or instance. A LwM2M client answers these with 4.05 Method Not
 * Allowed (Transport TS 1.2 §6.7); the hub refuses them before anything is sent.
 */
export class Lwm2mOperationError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'LWM2M_OPERATION_NOT_ALLOWED';
  readonly operation: Lwm2mOperation;
  /** The target path, e.g. `/3/0/0`. */
  readonly path: string;
  /** Why not, in a few words. */
  readonly reason: string;

  constructor(operation: Lwm2mOperation, path: string, reason: string) {
    super(`${operation} not allowed on ${path}: ${reason}`);
    this.name = 'Lwm2mOperationError';
    this.operation = operation;
    this.path = path;
    this.reason = reason;
  }
}
