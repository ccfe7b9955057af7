// Runs LwM2M operations for hub commands: sends them on `dn`, matches `up/resp` by reqID, handles `up/notify`.
import type { DeviceIngress } from '../../../core/device-ingress.ts';
import type { CommandRecord } from '../../../core/command.ts';
import type { Device, JsonObject } from '../../../core/device.ts';
import { errorObject, type RpcErrorObject } from '../../../core/errors.ts';
import type { Logger } from '../../../log/logger.ts';
import type { ObjectModel } from '../object-model.ts';
import { codeMessage, isSuccessCode } from './coap-code.ts';
import { DEVICE_PATH, operationResult, planFor } from './command-operations.ts';
import { jsonValue, objectsFromEntries, typeContent, type TypedEntry } from './content-values.ts';
import type { Lwm2mDeviceSync } from './device-sync.ts';
import { ConfigKeyError } from './config-resources.ts';
import { buildDownlink, type DownlinkRequest, type Lwm2mOperationType, type RequestContext } from './downlink-request.ts';
import type { EndpointActivity } from './endpoint-activity.ts';
import { GenericMethodFailure, type GenericContext, type SuccessAnswer } from './generic-context.ts';
import { isGenericMcuMethod, isGenericSensorMethod, runGenericMethod } from './generic-methods.ts';
import { startFirmwareUpdate } from './firmware-command.ts';
import type { Lwm2mSession, Observation } from './lwm2m-session.ts';
import { coapError, deviceFailure, type Answer } from './operation-answer.ts';
import { instanceCreated, instanceDeleted } from './instance-changes.ts';
import { mergeObjects } from './registration-update.ts';
import { rejectionReason, salvageReqId } from './rejection-reason.ts';
import type { PendingRequest, RequestTracker } from './request-tracker.ts';
import { pointsFromEntries, snakeCase } from './telemetry-mapping.ts';
import { parseUplinkMessage, type UplinkMessage } from './uplink-message.ts';

export interface OperationRunnerOptions {
  readonly sessions: ReadonlyMap<string, Lwm2mSession>;
  readonly tracker: RequestTracker;
  readonly ingress: Pick<DeviceIngress, 'completed'>;
  readonly sync: Lwm2mDeviceSync;
  readonly model: ObjectModel;
  readonly logger: Logger;
  /** Publish `{reqID, msgType, data}` on `lwm2m/{endpoint}/dn`. */
  readonly send: (endpoint: string, reqID: number, request: DownlinkRequest) => Promise<void>;
  readonly reject: (reason: string, endpoint: string, detail: string) => void;
  readonly touch: (deviceId: string) => void;
  /** The registry entry of a device (the attached device a `sensor.*` command names). */
  readonly device: (deviceId: string) => Device | undefined;
  readonly activity: EndpointActivity;
  readonly now: () => number;
}

/** Why an answer or notification was refused (the device is told with a 4.00 on `dn`). */
export interface Refusal {
  readonly reason: string;
  readonly reqID?: number;
}

export class OperationRunner {
  readonly #o: OperationRunnerOptions;
  /** Generic-method commands still running: their further steps are sent only while they live. */
  readonly #generic = new Set<string>();

  constructor(options: OperationRunnerOptions) {
    this.#o = options;
  }

  /** Send a command's operation (or start its firmware update); the answer completes the command. */
  async deliver(target: Device, command: CommandRecord): Promise<void> {
    const { ingress } = this.#o;
    const session = this.#o.sessions.get(target.hardwareId);
    if (session === undefined) {
      ingress.completed(command.id, target.id, { error: errorObject('DEVICE_OFFLINE', `device offline: ${target.id} has no live LwM2M registration`) });
      return;
    }
    const generic = target.id === command.deviceId ? isGenericMcuMethod(command.method) : isGenericSensorMethod(command.method);
    if (generic) {
      this.#runGeneric(session, target, command);
      return;
    }
    const plan = planFor(command);
    if (plan === undefined) {
      ingress.completed(command.id, target.id, { error: errorObject('UNSUPPORTED_OPERATION', `${command.method} is not carried over LwM2M`) });
      return;
    }
    if (plan.kind === 'firmware') {
      startFirmwareUpdate(
        {
          sessions: this.#o.sessions,
          ingress,
          logger: this.#o.logger,
          context: (current) => this.#context(current),
          send: (current, request, options, onAnswer) => this.#send(current, request, options, onAnswer),
        },
        session,
        command,
      );
      return;
    }
    let request: DownlinkRequest;
    try {
      request = buildDownlink(plan.msgType, plan.params, this.#context(session));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ingress.completed(command.id, target.id, { error: errorObject('INVALID_PARAMS', `Invalid params: ${message}`, { issues: [{ path: '/path', message }] }) });
      return;
    }
    await this.#send(session, request, { commandId: command.id }, (answer) => this.#answerCommand(session.endpoint, command, request, answer));
  }

  /** An `up/resp` message: resolve the request it answers. Returns a refusal to acknowledge, if any. */
  onResponse(endpoint: string, payload: Buffer): Refusal | undefined {
    let message: UplinkMessage;
    try {
      message = parseUplinkMessage(payload);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#o.reject(rejectionReason(error), endpoint, detail);
      // An answer we cannot read still ends its request now rather than at the timeout.
      const reqID = salvageReqId(payload);
      const pending = reqID === undefined ? undefined : this.#take(endpoint, reqID);
      pending?.onAnswer({ ok: false, error: deviceFailure(`${pending.msgType} ${pending.path}: unreadable answer: ${detail}`) });
      return reqID === undefined ? { reason: detail } : { reason: detail, reqID };
    }
    const session = this.#o.sessions.get(endpoint);
    if (session === undefined) {
      this.#o.reject('not_registered', endpoint, `answer to reqID ${String(message.reqID)} without a registration`);
      return undefined;
    }
    this.#o.touch(session.deviceId);
    if (message.msgType === 'ack') return undefined; // an empty ACK; the answer follows (EMQX separate response)
    const pending = message.reqID === undefined ? undefined : this.#take(endpoint, message.reqID);
    if (pending === undefined) {
      this.#o.reject('unmatched_response', endpoint, `reqID ${String(message.reqID)}: no request waiting`);
      return undefined;
    }
    const { answer, refusal } = this.#resolve(session, pending, message);
    pending.onAnswer(answer);
    return refusal;
  }

  /** An `up/notify` message: store the values of an observation. Returns a refusal to acknowledge, if any. */
  onNotify(endpoint: string, payload: Buffer): Refusal | undefined {
    let message: UplinkMessage;
    try {
      message = parseUplinkMessage(payload);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#o.reject(rejectionReason(error), endpoint, detail);
      return { reason: detail };
    }
    const session = this.#o.sessions.get(endpoint);
    if (session === undefined) {
      this.#o.reject('not_registered', endpoint, 'notification without a registration');
      return undefined;
    }
    this.#o.touch(session.deviceId);
    if (message.code === undefined) return undefined;
    const path = message.reqPath ?? message.content[0]?.path ?? '';
    const observation = [...session.observations.values()].find((o) => o.reqID === message.reqID) ?? session.observationFor(path);
    if (observation === undefined) {
      this.#o.reject('unobserved', endpoint, `notification for ${path || '(no path)'} without an observation`);
      return { reason: `no observation of ${path || '(no path)'}: observe it first` };
    }
    if (!isSuccessCode(message.code)) {
      // An error notification ends the observation (RFC 7641 §4.2).
      session.observations.delete(observation.path);
      this.#o.logger.info({ endpoint, path: observation.path, code: message.code }, 'lwm2m: observation ended by the device');
      return undefined;
    }
    try {
      this.#ingest(session, typeContent(this.#o.model, message.content, session.customObjects()));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#o.reject(rejectionReason(error), endpoint, detail);
      return { reason: detail };
    }
    return undefined;
  }

  /** Observe again what was observed before a re-registration (the hub's own requests). */
  reobserve(session: Lwm2mSession, observations: readonly Observation[]): void {
    for (const observation of observations) {
      const request: DownlinkRequest = { msgType: 'observe', data: { path: observation.path }, path: observation.path };
      this.#send(session, request, { origin: observation.origin }, () => {}).catch((error: unknown) => {
        this.#o.logger.warn({ err: error, endpoint: session.endpoint, path: observation.path }, 'lwm2m: re-observation not sent');
      });
    }
  }

  /** A command ended (answered, timed out, failed): forget its requests and stop its firmware update. */
  commandEnded(commandId: string): void {
    this.#generic.delete(commandId);
    this.#o.tracker.dropCommand(commandId);
    for (const session of this.#o.sessions.values()) {
      const flow = session.firmware;
      if (flow?.commandId !== commandId) continue;
      session.firmware = undefined;
      flow.abort();
    }
  }

  // A generic method (docs/generic-methods.md): its steps run one after the other; the last answer completes the command.
  #runGeneric(session: Lwm2mSession, target: Device, command: CommandRecord): void {
    const { ingress, model } = this.#o;
    const sensor = command.deviceId === target.id ? undefined : this.#o.device(command.deviceId);
    this.#generic.add(command.id);
    const context: GenericContext = {
      session,
      model,
      now: this.#o.now,
      activity: this.#o.activity.get(session.endpoint),
      operation: (msgType, params, options) => this.#step(session, command.id, msgType, params, options?.store !== false),
      points: (entries, ts) => pointsFromEntries(model, entries, this.#o.sync.targets(session), ts),
      attachedId: (objectId, instanceId) => this.#o.sync.targets(session).attachedId(objectId, instanceId),
      status: (content, answer) => this.#status(session, content, { code: answer.code }),
    };
    runGenericMethod(context, command, sensor)
      .then(
        (result) => ingress.completed(command.id, target.id, { result }),
        (error: unknown) => ingress.completed(command.id, target.id, { error: this.#failure(command, error) }),
      )
      .finally(() => this.#generic.delete(command.id));
  }

  // One operation of a generic method, resolved with its 2.xx answer.
  #step(session: Lwm2mSession, commandId: string, msgType: Lwm2mOperationType, params: JsonObject, store: boolean): Promise<SuccessAnswer> {
    if (!this.#generic.has(commandId)) return Promise.reject(new GenericMethodFailure(errorObject('INTERNAL_ERROR', `command ${commandId} ended before its ${msgType} was sent`)));
    let request: DownlinkRequest;
    try {
      request = buildDownlink(msgType, params, this.#context(session));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return Promise.reject(new GenericMethodFailure(errorObject('INVALID_PARAMS', `Invalid params: ${message}`, { issues: [{ path: '/config', message }] })));
    }
    return new Promise<SuccessAnswer>((resolve, reject) => {
      this.#send(session, request, { commandId, storeValues: store }, (answer) => (answer.ok ? resolve(answer) : reject(new GenericMethodFailure(answer.error)))).catch(reject);
    });
  }

  #failure(command: CommandRecord, error: unknown): RpcErrorObject {
    if (error instanceof GenericMethodFailure || error instanceof ConfigKeyError) return error.error;
    this.#o.logger.error({ err: error, commandId: command.id, method: command.method }, 'lwm2m: generic method failed');
    return errorObject('INTERNAL_ERROR', `${command.method} over LwM2M failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  async #send(session: Lwm2mSession, request: DownlinkRequest, options: { commandId?: string; origin?: Observation['origin']; storeValues?: boolean }, onAnswer: (answer: Answer) => void): Promise<void> {
    const pending = this.#o.tracker.add({
      endpoint: session.endpoint,
      msgType: request.msgType,
      path: request.path,
      ...(options.commandId === undefined ? {} : { commandId: options.commandId }),
      ...(options.storeValues === false ? { storeValues: false } : {}),
      onAnswer,
    });
    if (request.msgType === 'observe') {
      // Notifications may arrive before the answer: the observation counts from the request on.
      const origin = session.observations.get(request.path)?.origin === 'client' ? 'client' : (options.origin ?? 'client');
      session.observations.set(request.path, { path: request.path, reqID: pending.reqID, origin });
    }
    if (request.msgType === 'cancel-observe') session.observations.delete(request.path);
    try {
      await this.#o.send(session.endpoint, pending.reqID, request);
    } catch (error) {
      this.#o.tracker.take(pending.reqID);
      throw error;
    }
  }

  #take(endpoint: string, reqID: number): PendingRequest | undefined {
    const pending = this.#o.tracker.peek(reqID);
    if (pending === undefined || pending.endpoint !== endpoint) return undefined;
    return this.#o.tracker.take(reqID);
  }

  // The typed outcome of an answer; values in it are stored as telemetry on the way.
  #resolve(session: Lwm2mSession, pending: PendingRequest, message: UplinkMessage): { answer: Answer; refusal?: Refusal } {
    const what = `${pending.msgType} ${pending.path}`;
    if (message.msgType === 'coap_timeout') return { answer: { ok: false, error: errorObject('COMMAND_TIMEOUT', `command timed out: the device did not answer ${what} (CoAP timeout)`) } };
    if (message.msgType === 'coap_reset') return { answer: { ok: false, error: deviceFailure(`${what}: the device reset the request (CoAP RST)`, { coap_code: 'RST', path: pending.path }) } };
    const code = message.code as string;
    if (!isSuccessCode(code)) {
      if (pending.msgType === 'observe' && session.observations.get(pending.path)?.reqID === pending.reqID) session.observations.delete(pending.path);
      return { answer: { ok: false, error: coapError(code, message.codeMsg, pending.path) } };
    }
    let content: TypedEntry[];
    try {
      content = typeContent(this.#o.model, message.content, session.customObjects());
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#o.reject(rejectionReason(error), session.endpoint, detail);
      return { answer: { ok: false, error: deviceFailure(`${what}: the device answered invalid content: ${detail}`, { coap_code: code, path: pending.path }) }, refusal: { reason: detail, reqID: pending.reqID } };
    }
    if (content.length > 0) this.#ingest(session, content, pending.storeValues !== false);
    return { answer: { ok: true, code, codeMsg: message.codeMsg ?? codeMessage(code), content, links: message.links, message } };
  }

  // Fresh values: kept in the registration, stored as telemetry, fed to a firmware update under way.
  #ingest(session: Lwm2mSession, entries: readonly TypedEntry[], store = true): void {
    const registered = entries.filter((entry) => session.hasObject(entry.objectId, entry.instanceId));
    if (registered.length > 0) {
      session.registration = { ...session.registration, objects: mergeObjects(session.registration.objects, objectsFromEntries(this.#o.model, registered)) };
    }
    session.rememberUnits(entries);
    if (store) this.#o.sync.store(session, entries);
    session.firmware?.onValues(entries);
  }

  #answerCommand(endpoint: string, command: CommandRecord, request: DownlinkRequest, answer: Answer): void {
    const { ingress } = this.#o;
    // The answer came on this endpoint's topics: it is that device's answer (or, with the session gone, the hub's own outcome for it).
    const from = this.#o.sessions.get(endpoint)?.deviceId ?? command.deviceId;
    if (!answer.ok) {
      ingress.completed(command.id, from, { error: answer.error });
      return;
    }
    const session = this.#o.sessions.get(endpoint);
    let result: JsonObject;
    try {
      result = operationResult(request.msgType, request.path, answer);
    } catch (error) {
      ingress.completed(command.id, from, { error: deviceFailure(`${request.msgType} ${request.path}: unreadable answer: ${error instanceof Error ? error.message : String(error)}`) });
      return;
    }
    if (session !== undefined) {
      const changes = { sync: this.#o.sync, model: this.#o.model, logger: this.#o.logger };
      if (request.msgType === 'delete') void instanceDeleted(changes, session, request.path);
      if (request.msgType === 'create') void instanceCreated(changes, session, request.path, result['location']);
    }
    ingress.completed(command.id, from, { result });
  }

  // `mcu.get_status`: the mcu-dynamic document from /3/0, with every value by resource name under `lwm2m`.
  #status(session: Lwm2mSession, content: readonly TypedEntry[], base: JsonObject): JsonObject {
    const patch = this.#o.sync.updateDynamic(session.deviceId, session.registration);
    const values: JsonObject = {};
    for (const entry of content) {
      const name = snakeCase(this.#o.model.resource(entry.objectId, entry.resourceId)?.name ?? String(entry.resourceId));
      values[entry.resourceInstanceId === undefined ? name : `${name}_${entry.resourceInstanceId}`] = jsonValue(entry.value);
    }
    const extension = typeof patch['lwm2m'] === 'object' && patch['lwm2m'] !== null ? (patch['lwm2m'] as JsonObject) : {};
    return { ...patch, lwm2m: { ...extension, path: DEVICE_PATH, code: base['code'], values } };
  }

  #context(session: Lwm2mSession): RequestContext {
    return { model: this.#o.model, customObjects: session.customObjects() };
  }
}
