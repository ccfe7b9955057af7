/** CommandGuard: what every server→device command passes before it is recorded and sent (the safety envelopes, src/safety). */
import type { CommandOrigin } from '../command.ts';
import type { Device, JsonObject } from '../device.ts';

export interface GuardedCommand {
  readonly device: Device;
  readonly method: string;
  readonly params: JsonObject;
  readonly origin: CommandOrigin;
}

export interface CommandGuard {
  /**
   * Throw (HubError ENVELOPE_REFUSED) to refuse the command, or return a promise that rejects so when
   * the decision needs shared state (a clustered hub reads interlock values from its store); a
   * command let through counts toward rate limits.
   */
  admit(command: GuardedCommand): void | Promise<void>;
  /** Throw to refuse one batch of `method` over `devices` before any of them is written. */
  admitBatch(method: string, devices: readonly Device[]): void;
}
