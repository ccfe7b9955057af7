/** CommandChannel: how a protocol adapter delivers a server→device command. */
import type { CommandRecord } from './command.ts';
import type { Device, JsonObject } from './device.ts';

export interface CommandChannel {
  /** Protocol name, e.g. "native". */
  readonly protocol: string;
  /**
   * Whether this channel can carry `method` to `device` (the executor asks each channel in turn). With
   * `params`, whether it can carry this call: a channel may decline params its protocol cannot express
   * (config keys it has no resource for), so the device's next protocol carries the call.
   */
  supports(device: Device, method: string, params?: JsonObject): boolean;
  /**
   * Send the command. `target` is the device that receives it on the wire (an MCU for its sensors).
   * Resolves once handed to the transport; the answer arrives later through CommandExecutor.complete().
   */
  deliver(target: Device, command: CommandRecord): Promise<void>;
}
