// The error for an LwM2M-over-MQTT message from a device that the hub cannot accept.

/**
 * A device message that is not valid: not JSON, wrong field types, an unknown path, a value of the
 * wrong type. `reason` is the stable label it is counted under
 * (`llmiot_messages_rejected_total{protocol="lwm2m",reason}`); the message says what and where.
 */
export class Lwm2mMessageError extends Error {
  /** Stable string code for logs. */
  readonly code = 'LWM2M_INVALID_MESSAGE';
  /** Metric label, e.g. `malformed_json`, `invalid_message`, `invalid_path`, `invalid_value`. */
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = 'Lwm2mMessageError';
    this.reason = reason;
  }
}
