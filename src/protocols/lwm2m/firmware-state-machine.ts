// The Object 5 Firmware Update state machine (LwM2M Core TS 1.2 App. E.6, state diagram), as a pure function.
import { FirmwareTransitionError } from './errors/firmware-transition-error.ts';

/** /5/0/3 State values (App. E.6 resource 3). */
export const FirmwareState = {
  Idle: 0,
  Downloading: 1,
  Downloaded: 2,
  Updating: 3,
} as const;
export type FirmwareState = (typeof FirmwareState)[keyof typeof FirmwareState];

/**
 * /5/0/5 Update Result values (App. E.6 resource 5). 0–9 since LwM2M 1.0; 10 (cancelled) and
 * 11 (deferred) came with Object 5 v1.1, the version in objects/xml/5.xml.
 */
export const UpdateResult = {
  Initial: 0,
  Success: 1,
  NotEnoughFlash: 2,
  OutOfRam: 3,
  ConnectionLost: 4,
  IntegrityCheckFailure: 5,
  UnsupportedPackageType: 6,
  InvalidUri: 7,
  UpdateFailed: 8,
  UnsupportedProtocol: 9,
  Cancelled: 10,
  Deferred: 11,
} as const;
export type UpdateResult = (typeof UpdateResult)[keyof typeof UpdateResult];

/** Results that end a failed download (Downloading → Idle). */
export const DOWNLOAD_FAILURES = [2, 3, 4, 5, 6, 7, 9] as const;
export type DownloadFailure = (typeof DOWNLOAD_FAILURES)[number];

/** Results that end a failed update: 8 returns to Downloaded, 5 (integrity) to Idle (resource 3 text). */
export const UPDATE_FAILURES = [5, 8] as const;
export type UpdateFailure = (typeof UPDATE_FAILURES)[number];

/** The two resources the state machine drives. */
export interface FirmwareStatus {
  readonly state: FirmwareState;
  readonly result: UpdateResult;
}

/** Where a device starts: Idle, Initial result. */
export const INITIAL_FIRMWARE_STATUS: FirmwareStatus = Object.freeze({ state: FirmwareState.Idle, result: UpdateResult.Initial });

/**
 * What can happen to Object 5. Writes come from the LwM2M Server; the rest is reported by the client.
 * Writing an empty Package URI, or an empty (NULL) Package, resets the machine.
 */
export type FirmwareEvent =
  /** Write /5/0/1 Package URI (pull). `''` resets. */
  | { readonly type: 'write-package-uri'; readonly uri: string }
  /** Write /5/0/0 Package (push). `empty: true` is the NULL package, which resets. */
  | { readonly type: 'write-package'; readonly empty: boolean }
  /** The package is complete (pushed, or fetched from the URI) and verified. */
  | { readonly type: 'download-complete' }
  /** The download failed with one of {@link DOWNLOAD_FAILURES}. */
  | { readonly type: 'download-failed'; readonly result: DownloadFailure }
  /** Execute /5/0/2 Update. */
  | { readonly type: 'execute-update' }
  /** The user deferred the update (result 11; the state stays Downloaded). */
  | { readonly type: 'update-deferred' }
  | { readonly type: 'update-succeeded' }
  /** The update failed with one of {@link UPDATE_FAILURES}. */
  | { readonly type: 'update-failed'; readonly result: UpdateFailure }
  /** Execute /5/0/10 Cancel. */
  | { readonly type: 'cancel' };

/** The outcome of {@link next}: the new status, or why the event is illegal in that state. */
export type FirmwareTransition =
  | { readonly ok: true; readonly state: FirmwareState; readonly result: UpdateResult }
  | { readonly ok: false; readonly error: FirmwareTransitionError };

const STATE_NAMES: Readonly<Record<FirmwareState, string>> = { 0: 'Idle', 1: 'Downloading', 2: 'Downloaded', 3: 'Updating' };

/**
 * The Object 5 transition function (App. E.6, state diagram of E.6.1):
 *
 * | from        | event                          | to          | Update Result          |
 * |-------------|--------------------------------|-------------|------------------------|
 * | Idle        | write Package URI / Package    | Downloading | 0                      |
 * | Downloading | download complete              | Downloaded  | 0                      |
 * | Downloading | download failed                | Idle        | 2–7, 9                 |
 * | Downloaded  | Execute Update                 | Updating    | 0                      |
 * | Downloaded  | update deferred by the user    | Downloaded  | 11                     |
 * | Updating    | update succeeded               | Idle        | 1                      |
 * | Updating    | update failed                  | Downloaded  | 8 (5 integrity → Idle) |
 * | Downloading, Downloaded | Execute Cancel     | Idle        | 10                     |
 * | any but Updating | write empty URI / NULL Package | Idle   | 0                      |
 *
 * Everything else is illegal: a new package while one is downloading or downloaded, Update before
 * Downloaded ("only executable when the value of the State Resource is Downloaded"), Cancel during
 * or after installation ("MUST respond with Method Not Allowed").
 */
export function next(status: FirmwareStatus, event: FirmwareEvent): FirmwareTransition {
  const { state } = status;
  const to = (nextState: FirmwareState, result: UpdateResult): FirmwareTransition => ({ ok: true, state: nextState, result });
  const illegal = (reason: string): FirmwareTransition => ({
    ok: false,
    error: new FirmwareTransitionError(state, event.type, reason),
  });
  if (!Object.hasOwn(STATE_NAMES, state)) return illegal(`unknown state ${String(state)}; expected 0..3`);
  const inState = `in ${STATE_NAMES[state]}`;

  switch (event.type) {
    case 'write-package-uri':
    case 'write-package': {
      const reset = event.type === 'write-package-uri' ? event.uri === '' : event.empty;
      if (state === FirmwareState.Updating) return illegal(`the update is being installed ${inState}; no write until it ends`);
      if (reset) return to(FirmwareState.Idle, UpdateResult.Initial);
      if (state !== FirmwareState.Idle) {
        return illegal(`a package is already ${state === FirmwareState.Downloading ? 'downloading' : 'downloaded'}; write an empty Package URI to reset first`);
      }
      return to(FirmwareState.Downloading, UpdateResult.Initial);
    }
    case 'download-complete':
      return state === FirmwareState.Downloading ? to(FirmwareState.Downloaded, UpdateResult.Initial) : illegal(`no download is under way ${inState}`);
    case 'download-failed':
      if (!(DOWNLOAD_FAILURES as readonly number[]).includes(event.result)) {
        return illegal(`result ${event.result} is not a download failure; expected one of ${DOWNLOAD_FAILURES.join(', ')}`);
      }
      return state === FirmwareState.Downloading ? to(FirmwareState.Idle, event.result) : illegal(`no download is under way ${inState}`);
    case 'execute-update':
      return state === FirmwareState.Downloaded
        ? to(FirmwareState.Updating, UpdateResult.Initial)
        : illegal(`Update is only executable in Downloaded (App. E.6 resource 2), not ${inState.slice(3)}`);
    case 'update-deferred':
      return state === FirmwareState.Downloaded ? to(FirmwareState.Downloaded, UpdateResult.Deferred) : illegal(`only a Downloaded update can be deferred, not ${inState.slice(3)}`);
    case 'update-succeeded':
      return state === FirmwareState.Updating ? to(FirmwareState.Idle, UpdateResult.Success) : illegal(`no update is being installed ${inState}`);
    case 'update-failed':
      if (!(UPDATE_FAILURES as readonly number[]).includes(event.result)) {
        return illegal(`result ${event.result} is not an update failure; expected one of ${UPDATE_FAILURES.join(', ')}`);
      }
      if (state !== FirmwareState.Updating) return illegal(`no update is being installed ${inState}`);
      return event.result === UpdateResult.IntegrityCheckFailure
        ? to(FirmwareState.Idle, UpdateResult.IntegrityCheckFailure)
        : to(FirmwareState.Downloaded, UpdateResult.UpdateFailed);
    case 'cancel':
      if (state === FirmwareState.Downloading || state === FirmwareState.Downloaded) return to(FirmwareState.Idle, UpdateResult.Cancelled);
      return illegal(
        state === FirmwareState.Updating
          ? 'Cancel during installation is not allowed (App. E.6 resource 10: Method Not Allowed)'
          : 'nothing to cancel in Idle (App. E.6 resource 10)',
      );
  }
}

/** `Downloaded (result 8: update failed)`-style text for logs. */
export function describeFirmwareStatus(status: FirmwareStatus): string {
  const name = Object.hasOwn(STATE_NAMES, status.state) ? STATE_NAMES[status.state] : `unknown state ${String(status.state)}`;
  const resultName = Object.entries(UpdateResult).find(([, code]) => code === status.result)?.[0] ?? 'unknown';
  return `${name} (result ${status.result}: ${resultName})`;
}
