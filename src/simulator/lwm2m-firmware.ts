/** Object 5 Firmware Update of a simulated client: a pull download from the Package URI, then an update on Execute. */
import {
  FirmwareState,
  INITIAL_FIRMWARE_STATUS,
  next,
  UpdateResult,
  type FirmwareEvent,
  type FirmwareStatus,
} from '../protocols/lwm2m/firmware-state-machine.ts';
import type { Lwm2mValue } from '../protocols/lwm2m/value-conversion.ts';
import { Lwm2mReplyError } from './lwm2m-reply-error.ts';
import type { ResourceSlot } from './lwm2m-object-tree.ts';

/** Schemes /5/0/8 announces: 2 HTTP/1.1, 3 HTTPS/1.1. */
const SUPPORTED_SCHEMES = ['http:', 'https:'];

export interface FirmwareUpdateOptions {
  /** Firmware version now running (/3/0/3). */
  readonly version: () => string;
  /** Called when an update succeeded, with the new version. */
  readonly install: (version: string) => void;
  /** Simulated download time (default 200 ms). */
  readonly downloadMs?: number;
  /** Simulated install time (default 200 ms). */
  readonly updateMs?: number;
  /** Called after every change of State or Update Result, with the changed paths (for observers). */
  readonly onChange: (paths: readonly string[]) => void;
  /** Simulated seconds since the epoch, for /5/0/12 Last State Change Time. */
  readonly nowS: () => number;
}

/**
 * The device side of App. E.6 driven by {@link next}. What the simulator does with a Package URI:
 * - not a URL → download fails, result 7 (Invalid URI); a scheme other than http(s) → result 9 (Unsupported protocol);
 * - otherwise Downloading (1) → Downloaded (2) after `downloadMs`;
 * - Execute /5/0/2 → Updating (3) → after `updateMs`: Idle (0) with result 1 and a new /3/0/3, taken from the first
 *   `x.y.z` in the URI or else the current version with its patch number + 1;
 * - a URI containing `fail` downloads fine but its update fails: back to Downloaded (2) with result 8 (Update failed).
 */
export class FirmwareUpdate {
  readonly #o: FirmwareUpdateOptions;
  #status: FirmwareStatus = INITIAL_FIRMWARE_STATUS;
  #uri = '';
  #pkgName = '';
  #pkgVersion = '';
  #changedAt: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: FirmwareUpdateOptions) {
    this.#o = options;
    this.#changedAt = options.nowS();
  }

  get status(): FirmwareStatus {
    return this.#status;
  }

  /** The /5/0 resources. */
  slots(): Record<number, ResourceSlot> {
    return {
      0: { set: (value) => this.#writePackage(value) },
      1: { get: () => this.#uri, set: (value) => this.#writeUri(String(value)) },
      2: { execute: () => this.#executeUpdate() },
      3: { get: () => this.#status.state },
      5: { get: () => this.#status.result },
      6: { get: () => this.#pkgName },
      7: { get: () => this.#pkgVersion },
      8: { value: [2, 3] },
      9: { value: 0 },
      10: { execute: () => this.#step({ type: 'cancel' }) },
      12: { get: () => this.#changedAt },
    };
  }

  /** Abandon a download or update in progress (device stop or power loss). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #writeUri(uri: string): void {
    this.#step({ type: 'write-package-uri', uri });
    this.#uri = uri;
    if (uri === '') return;
    this.#pkgName = uri.split(/[/?#]/).filter((part) => part !== '').at(-1) ?? '';
    this.#pkgVersion = /\d+\.\d+\.\d+/.exec(uri)?.[0] ?? '';
    let failure: 7 | 9 | null = null;
    try {
      if (!SUPPORTED_SCHEMES.includes(new URL(uri).protocol)) failure = UpdateResult.UnsupportedProtocol;
    } catch {
      failure = UpdateResult.InvalidUri;
    }
    this.#later(this.#o.downloadMs ?? 200, failure === null ? { type: 'download-complete' } : { type: 'download-failed', result: failure });
  }

  /** Push delivery is not offered (/5/0/9 = 0 pull only), but the empty (NULL) Package still resets (App. E.6). */
  #writePackage(value: Lwm2mValue): void {
    if (!(value instanceof Uint8Array) || value.byteLength > 0) throw new Lwm2mReplyError('method_not_allowed', 'Push delivery is not supported: write /5/0/1 Package URI');
    this.#step({ type: 'write-package', empty: true });
  }

  #executeUpdate(): void {
    this.#step({ type: 'execute-update' });
    const fails = this.#uri.includes('fail');
    this.#later(this.#o.updateMs ?? 200, fails ? { type: 'update-failed', result: UpdateResult.UpdateFailed } : { type: 'update-succeeded' });
  }

  #later(ms: number, event: FirmwareEvent): void {
    this.stop();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // Cancel and reset clear the timer, so the state still expects this event.
      const transition = next(this.#status, event);
      if (!transition.ok) return;
      if (event.type === 'update-succeeded') this.#o.install(this.#pkgVersion !== '' ? this.#pkgVersion : bumpPatch(this.#o.version()));
      this.#step(event);
    }, ms);
  }

  /** Apply an event; an illegal one is 4.05 (e.g. Update before Downloaded, Cancel while Updating). */
  #step(event: FirmwareEvent): void {
    const transition = next(this.#status, event);
    if (!transition.ok) throw new Lwm2mReplyError('method_not_allowed', transition.error.message);
    if (transition.state === FirmwareState.Idle || event.type === 'cancel') this.stop();
    const changed = transition.state !== this.#status.state || transition.result !== this.#status.result;
    this.#status = { state: transition.state, result: transition.result };
    if (changed) {
      this.#changedAt = this.#o.nowS();
      this.#o.onChange(['/5/0/3', '/5/0/5']);
    }
  }
}

function bumpPatch(version: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match === null ? `${version}.1` : `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}
