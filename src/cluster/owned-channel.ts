/**
 * OwnedChannel: a protocol's command channel when its device sessions have owners. A command for a
 * device whose session another instance owns is sent to that owner, which delivers it over its own
 * session (Sparkplug aliases, LwM2M registration); the answer comes back through AnswerRouter, and
 * the timeout stays this instance's, which waits for it.
 */
import type { CommandChannel } from '../core/command-channel.ts';
import type { CommandRecord } from '../core/command.ts';
import type { Device, JsonObject } from '../core/device.ts';
import { NoSubscribersError } from '../core/ports/mqtt-bus.ts';
import type { SessionOwnership } from './owned-bus.ts';

/** A command handed to the owner of the target's session. */
export interface RemoteDelivery {
  readonly protocol: string;
  readonly targetId: string;
  readonly command: CommandRecord;
}

export interface OwnedChannelOptions {
  readonly ownership: SessionOwnership;
  /** Send a delivery to the owning instance (resolves once the broker took it; NoSubscribersError: no session reads the owner's topic). */
  readonly forward: (owner: string, delivery: RemoteDelivery) => Promise<void>;
  /**
   * Whether the protocol can carry `method` for a device whose session lives on another instance
   * (the local channel cannot look at that session): by default, the device speaks the protocol and is online.
   */
  readonly remoteSupports?: (device: Device, method: string, params?: JsonObject) => boolean;
}

export class OwnedChannel implements CommandChannel {
  readonly #inner: CommandChannel;
  readonly #o: OwnedChannelOptions;

  constructor(inner: CommandChannel, options: OwnedChannelOptions) {
    this.#inner = inner;
    this.#o = options;
  }

  get protocol(): string {
    return this.#inner.protocol;
  }

  /** The local channel, for deliveries other instances forward here. */
  get local(): CommandChannel {
    return this.#inner;
  }

  supports(device: Device, method: string, params?: JsonObject): boolean {
    if (this.#inner.supports(device, method, params)) return true;
    const owner = this.#ownerOf(device);
    if (owner === undefined || owner === this.#o.ownership.instance) return false;
    return this.#o.remoteSupports?.(device, method, params) ?? false;
  }

  deliver(target: Device, command: CommandRecord): Promise<void> {
    const owner = this.#o.ownership.ownerOf(target.hardwareId);
    if (owner === undefined || owner === this.#o.ownership.instance) return this.#inner.deliver(target, command);
    // An owner whose session is gone (dead, its session adopted and ended): this instance tries itself
    // (it fails at once if it cannot reach the device) rather than wait for the timeout.
    return this.#o.forward(owner, { protocol: this.#inner.protocol, targetId: target.id, command }).catch((error: unknown) => {
      if (!(error instanceof NoSubscribersError)) throw error;
      return this.#inner.deliver(target, command);
    });
  }

  /** A sensor's commands travel through its MCU, whose hardware id keys the session. */
  #ownerOf(device: Device): string | undefined {
    return this.#o.ownership.ownerOf(device.hardwareId);
  }
}
