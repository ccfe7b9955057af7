// Drives a firmware update through Object 5 (pull, Package URI), checked step by step by the state machine.
import type { JsonObject } from '../../../core/device.ts';
import type { RpcErrorObject } from '../../../core/errors.ts';
import {
  describeFirmwareStatus,
  DOWNLOAD_FAILURES,
  FirmwareState,
  next,
  UpdateResult,
  UPDATE_FAILURES,
  type FirmwareEvent,
  type FirmwareStatus,
} from '../firmware-state-machine.ts';
import type { TypedEntry } from './content-values.ts';
import type { Lwm2mOperationType } from './downlink-request.ts';
import { deviceFailure, type Answer } from './operation-answer.ts';

/** Object 5 resources the flow uses (LwM2M Core TS 1.2 App. E.6). */
export const FIRMWARE_PATHS = { packageUri: '/5/0/1', update: '/5/0/2', state: '/5/0/3', result: '/5/0/5' } as const;

/** What the flow needs from the adapter. */
export interface FirmwareFlowPort {
  /** Send a request on behalf of the command; `onAnswer` gets the typed outcome. Throws when the request is invalid. */
  request(msgType: Lwm2mOperationType, params: JsonObject, onAnswer: (answer: Answer) => void): void;
  /** Cancel the flow's observations (sent as the hub's own requests, not the command's). */
  release(paths: readonly string[]): void;
  /** End the command. */
  finish(outcome: { result: JsonObject } | { error: RpcErrorObject }): void;
}

export interface FirmwareFlowOptions {
  readonly commandId: string;
  readonly packageUri: string;
  readonly version?: string;
  /** Paths a client already observed before the flow: left observed when it ends. */
  readonly alreadyObserved: ReadonlySet<string>;
}

const RESULT_NAMES = new Map<number, string>(Object.entries(UpdateResult).map(([name, code]) => [code, name]));

/**
 * `mcu.upload_program` over LwM2M: observe /5/0/3 State and /5/0/5 Update Result (their first values
 * are the starting status), write the package URI to /5/0/1 (Idle → Downloading), execute /5/0/2 Update
 * once the device reports Downloaded (→ Updating), and end when Update Result reports success (1) or a
 * failure (2–9, 10). Every reported change is checked with the Object 5 state machine; a change the
 * machine does not allow fails the command. Result 11 (deferred) keeps waiting until the command times out.
 */
export class FirmwareUpdateFlow {
  readonly commandId: string;
  readonly #options: FirmwareFlowOptions;
  readonly #port: FirmwareFlowPort;
  readonly #probe: { state?: number; result?: number } = {};
  #status: FirmwareStatus | undefined;
  #phase: 'probing' | 'running' | 'done' = 'probing';

  constructor(options: FirmwareFlowOptions, port: FirmwareFlowPort) {
    this.commandId = options.commandId;
    this.#options = options;
    this.#port = port;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** Observe State and Update Result; the flow continues from their answers. */
  start(): void {
    for (const path of [FIRMWARE_PATHS.state, FIRMWARE_PATHS.result]) {
      this.#guard(() => this.#port.request('observe', { path }, (answer) => this.#onProbe(path, answer)));
    }
  }

  /** Values from notifications (or reads) of the device's Object 5. */
  onValues(entries: readonly TypedEntry[]): void {
    if (this.#phase !== 'running') return;
    for (const entry of entries) if (entry.path === FIRMWARE_PATHS.state) this.#onState(entry.value);
    for (const entry of entries) if (entry.path === FIRMWARE_PATHS.result) this.#onResult(entry.value);
  }

  /** The command ended elsewhere (timeout, disconnect, shutdown): release the observations. */
  abort(): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#release();
  }

  #onProbe(path: string, answer: Answer): void {
    if (this.#phase !== 'probing') return;
    if (!answer.ok) return this.#fail(answer.error);
    const value = answer.content.find((entry) => entry.path === path)?.value;
    if (typeof value !== 'number') return this.#fail(deviceFailure(`firmware update: the observe answer for ${path} carries no integer value`));
    if (path === FIRMWARE_PATHS.state) this.#probe.state = value;
    else this.#probe.result = value;
    if (this.#probe.state !== undefined && this.#probe.result !== undefined) this.#begin({ state: this.#probe.state, result: this.#probe.result } as FirmwareStatus);
  }

  #begin(status: FirmwareStatus): void {
    this.#status = status;
    if (!this.#apply({ type: 'write-package-uri', uri: this.#options.packageUri }, 'firmware update refused')) return;
    this.#phase = 'running';
    this.#guard(() =>
      this.#port.request('write', { path: FIRMWARE_PATHS.packageUri, value: this.#options.packageUri }, (answer) => {
        if (!answer.ok) this.#fail(answer.error);
      }),
    );
  }

  #onState(value: TypedEntry['value']): void {
    const status = this.#status as FirmwareStatus;
    if (typeof value !== 'number' || value === status.state) return;
    const { Idle, Downloading, Downloaded, Updating } = FirmwareState;
    if (status.state === Downloading && value === Downloaded) {
      if (this.#apply({ type: 'download-complete' }) && this.#apply({ type: 'execute-update' })) {
        this.#guard(() =>
          this.#port.request('execute', { path: FIRMWARE_PATHS.update }, (answer) => {
            if (!answer.ok) this.#fail(answer.error);
          }),
        );
      }
      return;
    }
    // Back to Idle / Downloaded: the Update Result that follows says why.
    if (status.state === Downloading && value === Idle) return;
    if (status.state === Updating && (value === Idle || value === Downloaded)) return;
    // A deferred update the user later accepts on the device.
    if (status.state === Downloaded && value === Updating) {
      this.#apply({ type: 'execute-update' });
      return;
    }
    this.#fail(deviceFailure(`firmware update: the device reported State ${value} while the hub expected ${describeFirmwareStatus(status)}`, this.#data(status)));
  }

  #onResult(value: TypedEntry['value']): void {
    const status = this.#status as FirmwareStatus;
    if (typeof value !== 'number' || value === UpdateResult.Initial || this.#phase !== 'running') return;
    if (status.state === FirmwareState.Updating && value === UpdateResult.Success) {
      if (this.#apply({ type: 'update-succeeded' })) this.#succeed();
      return;
    }
    if (status.state === FirmwareState.Updating && (UPDATE_FAILURES as readonly number[]).includes(value)) {
      if (this.#apply({ type: 'update-failed', result: value as 5 | 8 })) this.#failWithResult(value, 'update failed');
      return;
    }
    if (status.state === FirmwareState.Downloading && (DOWNLOAD_FAILURES as readonly number[]).includes(value)) {
      if (this.#apply({ type: 'download-failed', result: value as (typeof DOWNLOAD_FAILURES)[number] })) this.#failWithResult(value, 'download failed');
      return;
    }
    if (value === UpdateResult.Deferred && (status.state === FirmwareState.Downloaded || status.state === FirmwareState.Updating)) {
      // The client deferred the update (App. E.6 resource 5 value 11): it stays Downloaded.
      this.#status = { state: FirmwareState.Downloaded, result: UpdateResult.Deferred };
      return;
    }
    if (value === UpdateResult.Cancelled) {
      if (this.#apply({ type: 'cancel' })) this.#failWithResult(value, 'cancelled on the device');
      return;
    }
    this.#fail(deviceFailure(`firmware update: the device reported Update Result ${value} (${RESULT_NAMES.get(value) ?? 'unknown'}) in ${describeFirmwareStatus(status)}`, this.#data(status)));
  }

  // Apply an event to the hub's view; an illegal one fails the command. Returns whether it was legal.
  #apply(event: FirmwareEvent, what = 'firmware update'): boolean {
    const status = this.#status as FirmwareStatus;
    const step = next(status, event);
    if (!step.ok) {
      this.#fail(deviceFailure(`${what}: ${step.error.message}`, { ...this.#data(status), coap_code: '4.05' }));
      return false;
    }
    this.#status = { state: step.state, result: step.result };
    return true;
  }

  #succeed(): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#release();
    const status = this.#status as FirmwareStatus;
    this.#port.finish({
      result: {
        accepted: true,
        ...(this.#options.version === undefined ? {} : { version: this.#options.version }),
        package_uri: this.#options.packageUri,
        state: status.state,
        update_result: status.result,
        update_result_name: RESULT_NAMES.get(status.result) ?? 'unknown',
      },
    });
  }

  #failWithResult(result: number, what: string): void {
    const status = this.#status as FirmwareStatus;
    this.#fail(deviceFailure(`firmware ${what}: Update Result ${result} (${RESULT_NAMES.get(result) ?? 'unknown'})`, this.#data(status)));
  }

  #fail(error: RpcErrorObject): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#release();
    this.#port.finish({ error });
  }

  #data(status: FirmwareStatus | undefined): Record<string, unknown> {
    return {
      package_uri: this.#options.packageUri,
      ...(status === undefined ? {} : { state: status.state, update_result: status.result, update_result_name: RESULT_NAMES.get(status.result) ?? 'unknown' }),
    };
  }

  #release(): void {
    this.#port.release([FIRMWARE_PATHS.state, FIRMWARE_PATHS.result].filter((path) => !this.#options.alreadyObserved.has(path)));
  }

  #guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#fail(deviceFailure(`firmware update: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
