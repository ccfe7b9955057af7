// Control commands in flight (`Node Control/Reboot`, `Device Control/*`): Sparkplug sends no reply, so
// such a command succeeds once its NCMD / DCMD is published. A reboot makes the node die at once, and
// its NDEATH can reach the host before the "published" completion ran; the NDEATH then failed the
// reboot it proves (DEVICE_DISCONNECTED, 3 of 8 reboots). The host settles every control of a node
// as succeeded before it handles that node's NDEATH or DDEATH.

import type { JsonObject } from '../../../core/device.ts';

/** Finishes a command (DeviceIngress.completed) for the edge node session `sessionKey`. */
export type CompleteControl = (commandId: string, outcome: { result: JsonObject }, sessionKey: string) => void;

export class ControlCommands {
  readonly #complete: CompleteControl;
  /** commandId → session key and result. */
  readonly #inFlight = new Map<string, { readonly sessionKey: string; readonly result: JsonObject }>();

  constructor(complete: CompleteControl) {
    this.#complete = complete;
  }

  /** Before publishing: from now on a DEATH of the node completes the command with `result`. */
  track(sessionKey: string, commandId: string, result: JsonObject): void {
    this.#inFlight.set(commandId, { sessionKey, result });
  }

  /** Published: complete the command (unless a DEATH already did). */
  settle(commandId: string): void {
    const entry = this.#inFlight.get(commandId);
    if (entry === undefined) return;
    this.#inFlight.delete(commandId);
    this.#complete(commandId, { result: entry.result }, entry.sessionKey);
  }

  /** Not published: forget it (the caller fails the command). */
  cancel(commandId: string): void {
    this.#inFlight.delete(commandId);
  }

  /** A DEATH of the node (or one of its devices) arrived: its published controls did their work. */
  settleSession(sessionKey: string): void {
    for (const [commandId, entry] of [...this.#inFlight]) if (entry.sessionKey === sessionKey) this.settle(commandId);
  }

  get size(): number {
    return this.#inFlight.size;
  }

  clear(): void {
    this.#inFlight.clear();
  }
}
