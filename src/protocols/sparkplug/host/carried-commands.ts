// The commands the Sparkplug channel carries and that still wait for their outcome.
//
// A node that also speaks LwM2M (seed 002, `simulate --protocol mixed`) takes `mcu.reboot` over
// LwM2M: the node answers the Execute and drops its connection, and its Sparkplug NDEATH (the will)
// can reach the hub before the LwM2M answer. An NDEATH used to fail every command pending on the
// device (DEVICE_DISCONNECTED in 3 of 8 reboots although the node rebooted); it now fails only the
// commands Sparkplug carried. The other protocol's commands end by that protocol's own rules.

import { errorObject, type RpcErrorObject } from '../../../core/errors.ts';

/** What the host's parts need of the command executor. */
export interface HostCommands {
  /** Finish a command the host carried (its answer, or why it failed). */
  complete(commandId: string, outcome: { result: unknown } | { error: RpcErrorObject }): boolean;
  /** A DEATH: fail the Sparkplug commands pending on `targetId` (an edge node or device UUID); returns how many. */
  failPendingFor(targetId: string, reason: string): number;
}

/** Finishes a command in the hub's executor. */
export type Complete = (commandId: string, outcome: { result: unknown } | { error: RpcErrorObject }) => boolean;

export class CarriedCommands implements HostCommands {
  readonly #complete: Complete;
  /** commandId → the edge node (wire target) and the device the command is about. */
  readonly #pending = new Map<string, { readonly targetId: string; readonly deviceId: string }>();

  constructor(complete: Complete) {
    this.#complete = complete;
  }

  /** The command went out over Sparkplug and waits for confirmation (a write) or publication (a control). */
  carry(commandId: string, targetId: string, deviceId: string): void {
    this.#pending.set(commandId, { targetId, deviceId });
  }

  complete(commandId: string, outcome: { result: unknown } | { error: RpcErrorObject }): boolean {
    this.#pending.delete(commandId);
    return this.#complete(commandId, outcome);
  }

  failPendingFor(targetId: string, reason: string): number {
    let count = 0;
    for (const [commandId, pending] of [...this.#pending]) {
      if (pending.targetId !== targetId && pending.deviceId !== targetId) continue;
      this.complete(commandId, { error: errorObject('DEVICE_DISCONNECTED', `device disconnected: ${reason}`) });
      count++;
    }
    return count;
  }

  get size(): number {
    return this.#pending.size;
  }

  clear(): void {
    this.#pending.clear();
  }
}
