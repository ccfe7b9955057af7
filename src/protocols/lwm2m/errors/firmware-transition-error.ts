// The error value for an event the Object 5 Firmware Update state machine does not allow in its state.

/**
 * An illegal firmware update transition, e.g. Execute /5/0/2 Update while Idle, or Cancel while
 * Updating (LwM2M Core TS 1.2 App. E.6). A LwM2M client answers these with 4.05 Method Not Allowed.
 * `next()` returns it rather than throwing; callers that want an exception throw it.
 */
export class FirmwareTransitionError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'LWM2M_FIRMWARE_ILLEGAL_TRANSITION';
  /** /5/0/3 State when the event arrived. */
  readonly state: number;
  /** The event type, e.g. `execute-update`. */
  readonly event: string;
  /** Why the event is refused. */
  readonly reason: string;

  constructor(state: number, event: string, reason: string) {
    super(`illegal firmware update transition: ${event} in state ${state}: ${reason}`);
    this.name = 'FirmwareTransitionError';
    this.state = state;
    this.event = event;
    this.reason = reason;
  }
}
