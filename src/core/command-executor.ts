/**
 * CommandExecutor: every server→device command is recorded, sent through the device's protocol,
 * correlated with its answer, and ends succeeded / failed / timed_out — never left hanging.
 */
import type { CommandGuard } from './ports/command-guard.ts';
import type { RegistryStore } from './ports/registry-store.ts';
import type { CommandChannel } from './command-channel.ts';
import { isTerminal, type CommandOrigin, type CommandRecord } from './command.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { Device, JsonObject } from './device.ts';
import { codeForRpc, errorObject, HubError, type RpcErrorObject } from './errors.ts';
import type { EventBus } from './event-bus.ts';

export interface ExecuteRequest {
  readonly deviceId: string;
  readonly method: string;
  readonly params: JsonObject;
  readonly origin: CommandOrigin;
  readonly timeoutMs?: number;
}

export interface ExecutorOptions {
  readonly registry: DeviceRegistry;
  readonly store: RegistryStore;
  readonly events: EventBus;
  readonly defaultTimeoutMs: number;
  readonly now?: () => number;
  readonly newId?: () => string;
  readonly onStoreError?: (error: unknown) => void;
  /** Checked before any command is recorded or sent: the safety envelopes (a refusal throws, nothing is sent). */
  readonly guard?: CommandGuard;
}

interface Pending {
  record: CommandRecord;
  /** Wire target (the MCU for a sensor command). */
  readonly targetId: string;
  /** The protocol whose channel carries the command. */
  readonly protocol: string;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly settled: Promise<CommandRecord>;
  settle(record: CommandRecord): void;
}

export class CommandExecutor {
  readonly #channels: CommandChannel[] = [];
  readonly #pending = new Map<string, Pending>();
  /** The last save of each command still in flight: a command's saves reach the store one after another, in order. */
  readonly #saving = new Map<string, Promise<void>>();
  readonly #options: ExecutorOptions;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(options: ExecutorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => globalThis.crypto.randomUUID());
  }

  addChannel(channel: CommandChannel): void {
    this.#channels.push(channel);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Record and send a command; resolves with the record once it is `sent` (or failed to send).
   * Use `wait()` on the returned id for the outcome.
   */
  async submit(request: ExecuteRequest): Promise<CommandRecord> {
    const device = this.#options.registry.require(request.deviceId);
    const target = device.parentId === null ? device : this.#options.registry.require(device.parentId);
    const admitted = this.#options.guard?.admit({ device, method: request.method, params: request.params, origin: request.origin });
    if (admitted !== undefined) await admitted;
    const timeoutMs = request.timeoutMs ?? this.#options.defaultTimeoutMs;
    let record: CommandRecord = {
      id: this.#newId(),
      deviceId: device.id,
      method: request.method,
      params: request.params,
      state: 'pending',
      origin: request.origin,
      createdAt: this.#now(),
      timeoutMs,
    };
    // The first channel that takes the call with its params; else the first that takes the method, whose
    // refusal of the params then names what its protocol lacks (command-channel.ts).
    const carries = (c: CommandChannel, params?: JsonObject): boolean => c.supports(device, request.method, params) || c.supports(target, request.method, params);
    const channel = this.#channels.find((c) => carries(c, request.params)) ?? this.#channels.find((c) => carries(c));
    if (!channel) {
      return this.#finish(record, 'failed', {
        error: errorObject('UNSUPPORTED_OPERATION', `${request.method} is not supported by device ${device.id} (${device.protocols.join(', ')})`),
      });
    }
    if (target.status !== 'online') {
      return this.#finish(record, 'failed', { error: errorObject('DEVICE_OFFLINE', `device offline: ${target.id}`) });
    }
    let settle!: (r: CommandRecord) => void;
    const settled = new Promise<CommandRecord>((resolve) => (settle = resolve));
    const timer = setTimeout(() => this.#timeout(record.id), timeoutMs);
    this.#pending.set(record.id, { record, targetId: target.id, protocol: channel.protocol, timer, settled, settle });
    await this.#save(record);
    try {
      await channel.deliver(target, record);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.#finish(record, 'failed', { error: errorObject('INTERNAL_ERROR', `command delivery failed: ${message}`) });
    }
    const pending = this.#pending.get(record.id);
    if (pending && pending.record.state === 'pending') {
      record = { ...record, state: 'sent', sentAt: this.#now() };
      pending.record = record;
      await this.#save(record);
    }
    return this.#pending.get(record.id)?.record ?? (await settled);
  }

  /** Refuse a whole batch of `method` over `devices` (HubError) before any is sent, when the guard says so. */
  admitBatch(method: string, devices: readonly Device[]): void {
    this.#options.guard?.admitBatch(method, devices);
  }

  /** Outcome of a command submitted by this hub instance (already-finished ones come from the store). */
  async wait(id: string): Promise<CommandRecord> {
    const pending = this.#pending.get(id);
    if (pending) return pending.settled;
    // Finished a moment ago, its final state still on its way to the store.
    await this.#saving.get(id);
    const stored = await this.#options.store.getCommand(id);
    if (!stored) throw new HubError('COMMAND_NOT_FOUND', `command not found: ${id}`, { command_id: id });
    return stored;
  }

  /** Submit and wait; a failure or timeout becomes the matching HubError carrying the command id. */
  async execute(request: ExecuteRequest): Promise<unknown> {
    const sent = await this.submit(request);
    const done = isTerminal(sent.state) ? sent : await this.wait(sent.id);
    return resultOrThrow(done);
  }

  /** Which device a pending command is about and which device carries it on the wire (its MCU for a sensor). */
  pendingRoute(id: string): { deviceId: string; targetId: string; protocol: string } | undefined {
    const pending = this.#pending.get(id);
    return pending === undefined ? undefined : { deviceId: pending.record.deviceId, targetId: pending.targetId, protocol: pending.protocol };
  }

  /** An answer arrived for command `id` (ignored if unknown or already finished). Returns whether it matched. */
  complete(id: string, outcome: { result: unknown } | { error: RpcErrorObject }): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    if ('error' in outcome) void this.#finish(pending.record, 'failed', { error: outcome.error });
    else void this.#finish(pending.record, 'succeeded', { result: outcome.result });
    return true;
  }

  /** The device dropped its connection: every command waiting on it fails now. */
  failPendingFor(targetId: string, reason: string, protocol?: string): number {
    let count = 0;
    for (const pending of [...this.#pending.values()]) {
      if (pending.targetId !== targetId && pending.record.deviceId !== targetId) continue;
      if (protocol !== undefined && pending.protocol !== protocol) continue;
      void this.#finish(pending.record, 'failed', { error: errorObject('DEVICE_DISCONNECTED', `device disconnected: ${reason}`) });
      count++;
    }
    return count;
  }

  /** Fail every pending command (shutdown). */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#pending.values()].map((p) => this.#finish(p.record, 'failed', { error: errorObject('SHUTTING_DOWN', 'command aborted: the hub is shutting down') })),
    );
  }

  #timeout(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    void this.#finish(pending.record, 'timed_out', {
      error: errorObject('COMMAND_TIMEOUT', `command timed out after ${pending.record.timeoutMs} ms: ${pending.record.method}`),
    });
  }

  async #finish(
    record: CommandRecord,
    state: 'succeeded' | 'failed' | 'timed_out',
    outcome: { result?: unknown; error?: RpcErrorObject },
  ): Promise<CommandRecord> {
    const pending = this.#pending.get(record.id);
    if (pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(record.id);
    }
    const done: CommandRecord = { ...(pending?.record ?? record), state, completedAt: this.#now(), ...outcome };
    await this.#save(done);
    pending?.settle(done);
    return done;
  }

  /**
   * Store a state of the command, after its earlier states. A device can answer while the `sent` save
   * is still on its way; on a pooled store (PostgreSQL) two saves in flight commit in either order, and
   * a `sent` landing last left the stored command `sent` for good.
   */
  async #save(record: CommandRecord): Promise<void> {
    this.#options.events.emit('command.updated', { command: record });
    const write = async (): Promise<void> => {
      try {
        await this.#options.store.saveCommand(record);
      } catch (error) {
        this.#options.onStoreError?.(error);
      }
    };
    const previous = this.#saving.get(record.id);
    const saved = previous === undefined ? write() : previous.then(write);
    this.#saving.set(record.id, saved);
    await saved;
    if (this.#saving.get(record.id) === saved) this.#saving.delete(record.id);
  }
}

/** Codes a command record ends with that the hub itself produced (anything else is the device's own error). */
const HUB_OUTCOMES = new Set(['DEVICE_OFFLINE', 'COMMAND_TIMEOUT', 'DEVICE_DISCONNECTED', 'UNSUPPORTED_OPERATION', 'SHUTTING_DOWN', 'INTERNAL_ERROR']);

/** The device's result, or a HubError for a failed / timed-out command (device errors keep their payload). */
export function resultOrThrow(record: CommandRecord): unknown {
  if (record.state === 'succeeded') return record.result ?? null;
  const error = record.error ?? errorObject('INTERNAL_ERROR', 'command failed');
  const hubCode = record.state === 'timed_out' ? 'COMMAND_TIMEOUT' : codeForRpc(error.code);
  if (hubCode && HUB_OUTCOMES.has(hubCode)) {
    throw new HubError(hubCode, error.message, { command_id: record.id, device_id: record.deviceId });
  }
  throw new HubError('DEVICE_ERROR', `device ${record.deviceId} answered ${record.method} with an error: ${error.message}`, {
    command_id: record.id,
    device_id: record.deviceId,
    device_error: error,
  });
}
