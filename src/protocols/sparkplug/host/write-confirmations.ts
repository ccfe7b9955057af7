// Metric writes waiting to be seen: Sparkplug commands have no reply, so a write counts as
// confirmed when the node reports every written metric with the written value (in a DATA or BIRTH
// message) within the confirmation window, and as sent-but-unconfirmed otherwise.

import type { JsonObject } from '../../../core/device.ts';
import type { SparkplugScalarValue } from '../codec/types.ts';
import { sameValue } from './metric-write.ts';

/** Result of a Sparkplug write command: it was published; `confirmed` says whether the node reported the values back. */
export interface WriteResult {
  readonly sent: true;
  readonly confirmed: boolean;
  /** The metrics written and the values asked for, as given. */
  readonly written: JsonObject;
}

interface PendingWrite {
  readonly commandId: string;
  readonly deviceId: string | undefined;
  readonly expected: Map<string, SparkplugScalarValue>;
  readonly written: JsonObject;
  readonly shape: ResultShape;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The command's result built from the write outcome (a generic method answers in its own shape). */
export type ResultShape = (outcome: WriteResult) => JsonObject;

/** Finishes a command (DeviceIngress.completed) for the edge node session `sessionKey` the values came from. */
export type CompleteCommand = (commandId: string, outcome: { result: JsonObject }, sessionKey: string) => void;

export class WriteConfirmations {
  readonly #complete: CompleteCommand;
  /** Pending writes per edge node session key. */
  readonly #bySession = new Map<string, PendingWrite[]>();

  constructor(complete: CompleteCommand) {
    this.#complete = complete;
  }

  /** Wait up to `windowMs` for `expected` to be reported by the node (`deviceId` undefined) or one of its devices. */
  track(
    sessionKey: string,
    commandId: string,
    deviceId: string | undefined,
    expected: Map<string, SparkplugScalarValue>,
    written: JsonObject,
    windowMs: number,
    shape: ResultShape = (outcome) => ({ ...outcome }),
  ): void {
    const timer = setTimeout(() => this.#finish(sessionKey, commandId, false), windowMs);
    timer.unref?.();
    const list = this.#bySession.get(sessionKey) ?? [];
    list.push({ commandId, deviceId, expected, written, shape, timer });
    this.#bySession.set(sessionKey, list);
  }

  /** Whether any write of this node waits for confirmation (checked before looking at each metric). */
  waiting(sessionKey: string): boolean {
    return this.#bySession.has(sessionKey);
  }

  /** A metric value the node (or its device `deviceId`) reported. */
  observe(sessionKey: string, deviceId: string | undefined, name: string, value: unknown): void {
    const list = this.#bySession.get(sessionKey);
    if (list === undefined) return;
    for (const pending of [...list]) {
      if (pending.deviceId !== deviceId) continue;
      const want = pending.expected.get(name);
      if (want === undefined || !sameValue(want, value)) continue;
      pending.expected.delete(name);
      if (pending.expected.size === 0) this.#finish(sessionKey, pending.commandId, true);
    }
  }

  /** Stop waiting for one write without finishing its command (it could not be sent). */
  cancel(sessionKey: string, commandId: string): void {
    const list = this.#bySession.get(sessionKey);
    const index = list?.findIndex((p) => p.commandId === commandId) ?? -1;
    if (list === undefined || index < 0) return;
    const [pending] = list.splice(index, 1);
    if (list.length === 0) this.#bySession.delete(sessionKey);
    if (pending !== undefined) clearTimeout(pending.timer);
  }

  /** Stop waiting for a node's writes (it died: the executor fails its pending commands). */
  dropSession(sessionKey: string): void {
    for (const pending of this.#bySession.get(sessionKey) ?? []) clearTimeout(pending.timer);
    this.#bySession.delete(sessionKey);
  }

  clear(): void {
    for (const key of [...this.#bySession.keys()]) this.dropSession(key);
  }

  #finish(sessionKey: string, commandId: string, confirmed: boolean): void {
    const pending = this.#bySession.get(sessionKey)?.find((p) => p.commandId === commandId);
    if (pending === undefined) return;
    this.cancel(sessionKey, commandId);
    this.#complete(commandId, { result: pending.shape({ sent: true, confirmed, written: pending.written }) }, sessionKey);
  }
}
