// Checks an `mcu.upload_program` for LwM2M before anything is sent: a package URI the device can fetch.
import type { JsonObject } from '../../../core/device.ts';
import { errorObject, type RpcErrorObject } from '../../../core/errors.ts';
import type { Lwm2mSession } from './lwm2m-session.ts';

/** URI schemes by /5/0/8 Firmware Update Protocol Support value (Core TS 1.2 App. E.6 resource 8). */
const PROTOCOL_SCHEMES: Readonly<Record<number, string>> = { 0: 'coap', 1: 'coaps', 2: 'http', 3: 'https', 4: 'coap+tcp', 5: 'coaps+tcp' };
const URI = /^([a-z][a-z0-9+.-]*):\/\/\S+$/i;

/** A firmware update that may start. */
export interface FirmwareRequest {
  readonly packageUri: string;
  readonly version?: string;
}

/**
 * `params.program` is the package URI the device pulls (Object 5 is driven in pull mode); it must be a
 * URI whose scheme the device lists in /5/0/8, when it lists any (the server MUST NOT offer another,
 * App. E.6). The device must have registered /5/0, with no other update under way.
 */
export function firmwareRequest(session: Lwm2mSession, params: JsonObject): FirmwareRequest | { readonly error: RpcErrorObject } {
  const program = params['program'];
  const scheme = typeof program === 'string' ? URI.exec(program)?.[1]?.toLowerCase() : undefined;
  if (typeof program !== 'string' || scheme === undefined) {
    return {
      error: errorObject('INVALID_PARAMS', 'mcu.upload_program over LwM2M takes the firmware package URI in program (written to /5/0/1 Package URI)', {
        issues: [{ path: '/program', message: 'must be a package URI such as "https://fw.example/pkg-2.1.bin"' }],
      }),
    };
  }
  if (!session.hasObject(5, 0)) {
    return { error: errorObject('UNSUPPORTED_OPERATION', `firmware update not possible: device ${session.endpoint} registered no Firmware Update object /5/0`) };
  }
  if (session.firmware !== undefined && !session.firmware.done) {
    return { error: errorObject('UNSUPPORTED_OPERATION', `firmware update not possible: command ${session.firmware.commandId} is already updating ${session.endpoint}`) };
  }
  const resources = session.registration.objects.find((o) => o.objectId === 5)?.instances.find((i) => i.instanceId === 0)?.resources ?? {};
  const support = Object.hasOwn(resources, 8) ? resources[8] : undefined;
  if (support instanceof Map && support.size > 0) {
    const schemes = [...(support as ReadonlyMap<number, unknown>).values()].map((v) => (typeof v === 'number' ? PROTOCOL_SCHEMES[v] : undefined)).filter((s) => s !== undefined);
    if (!schemes.includes(scheme)) {
      return {
        error: errorObject('INVALID_PARAMS', `package URI scheme ${scheme} is not supported by ${session.endpoint}; /5/0/8 lists ${schemes.join(', ') || 'none the hub knows'}`, {
          issues: [{ path: '/program', message: `scheme must be one of ${schemes.join(', ')}` }],
        }),
      };
    }
  }
  const version = params['version'];
  return typeof version === 'string' ? { packageUri: program, version } : { packageUri: program };
}
