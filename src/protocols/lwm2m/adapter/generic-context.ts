// What a generic device method needs from the adapter to run over LwM2M: operations on one live registration.
import type { Device, JsonObject } from '../../../core/device.ts';
import type { RpcErrorObject } from '../../../core/errors.ts';
import type { TelemetryPoint } from '../../../core/telemetry.ts';
import type { ObjectModel } from '../object-model.ts';
import type { TypedEntry } from './content-values.ts';
import type { Lwm2mOperationType } from './downlink-request.ts';
import type { ActivityTimes } from './endpoint-activity.ts';
import type { Lwm2mSession } from './lwm2m-session.ts';
import type { Answer } from './operation-answer.ts';

/** A 2.xx answer with typed content. */
export type SuccessAnswer = Extract<Answer, { ok: true }>;

/** A step failed (4.xx / 5.xx, bad request, refused key): the command ends with this error object. */
export class GenericMethodFailure extends Error {
  readonly error: RpcErrorObject;

  constructor(error: RpcErrorObject) {
    super(error.message);
    this.name = 'GenericMethodFailure';
    this.error = error;
  }
}

/** The IPSO object instance an attached device stands for. */
export interface IpsoInstance {
  readonly device: Device;
  readonly objectId: number;
  readonly instanceId: number;
  /** `/objectId/instanceId`. */
  readonly path: string;
}

export interface GenericContext {
  readonly session: Lwm2mSession;
  readonly model: ObjectModel;
  readonly now: () => number;
  /** Registration traffic times of the endpoint. */
  readonly activity: ActivityTimes | undefined;
  /**
   * Send one operation (params as the `lwm2m.*` methods take them) and wait for its 2.xx answer.
   * Rejects with GenericMethodFailure for an invalid request, an error answer, or a command that ended.
   * `store: false` keeps the answered values out of telemetry (the caller stores them).
   */
  operation(msgType: Lwm2mOperationType, params: JsonObject, options?: { readonly store?: boolean }): Promise<SuccessAnswer>;
  /** Telemetry points of answered values, named as the LwM2M telemetry mapping names them. */
  points(entries: readonly TypedEntry[], ts: number): TelemetryPoint[];
  /** UUID of the attached device of IPSO instance `/objectId/instanceId`, if registered. */
  attachedId(objectId: number, instanceId: number): string | undefined;
  /** `mcu.get_status` body from /3/0 content (mcu-dynamic patch + `lwm2m.values`), refreshing the registry. */
  status(content: readonly TypedEntry[], answer: SuccessAnswer): JsonObject;
}
