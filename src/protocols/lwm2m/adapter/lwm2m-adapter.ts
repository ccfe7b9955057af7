/**
 * LwM2M 1.2 device management over MQTT: registrations on `lwm2m/{ep}/reg|update|dereg`, operations
 * on `lwm2m/{ep}/dn` answered on `up/resp`, observations notified on `up/notify` (EMQX JSON shapes).
 * Bad input is logged with the endpoint, counted, and answered 4.00 where a device waits; nothing a
 * device sends stops the hub or another device.
 */
import type { CommandChannel } from '../../../core/command-channel.ts';
import { ThrottledLog } from '../../../log/throttled-log.ts';
import { CommitReceipt, worthResending } from '../../../core/commit-receipt.ts';
import { isTerminal, type CommandRecord } from '../../../core/command.ts';
import type { DeviceIngress, DeviceLookup } from '../../../core/device-ingress.ts';
import type { Device, JsonObject } from '../../../core/device.ts';
import { errorObject } from '../../../core/errors.ts';
import type { EventBus } from '../../../core/event-bus.ts';
import type { Logger } from '../../../log/logger.ts';
import type { HubMetrics } from '../../../metrics/hub-metrics.ts';
import type { MessageMeta, MqttBus, PresenceEvent } from '../../../core/ports/mqtt-bus.ts';
import { ObjectModel } from '../object-model.ts';
import type { ProtocolAdapter } from '../../../core/ports/protocol-adapter.ts';
import { codeMessage } from './coap-code.ts';
import { LWM2M_METHOD_OPERATIONS, ROUTED_MCU_METHODS } from './command-operations.ts';
import { Lwm2mDeviceSync } from './device-sync.ts';
import { EndpointActivity } from './endpoint-activity.ts';
import { ipsoInstanceOf, isGenericMcuMethod, isGenericSensorMethod, takesParams } from './generic-methods.ts';
import { expiryDeadline, LifetimeTracker } from './lifetime-tracker.ts';
import { SharedRegistrations } from './shared-registrations.ts';
import type { SessionStore } from '../../../core/ports/session-store.ts';
import type { Lwm2mSession } from './lwm2m-session.ts';
import { OperationRunner } from './operation-runner.ts';
import { RegistrationHandler, type AckType } from './registration-handler.ts';
import { RequestTracker } from './request-tracker.ts';
import { downlinkTopic, LWM2M_UPLINK_FILTERS, parseUplinkTopic, type UplinkKind } from './topics.ts';

export interface Lwm2mAdapterOptions {
  readonly bus: MqttBus;
  /** Read side of the fleet; every write goes through `ingress`. */
  readonly registry: DeviceLookup;
  readonly ingress: DeviceIngress;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly metrics: HubMetrics;
  /** Larger device messages are refused (hub config `maxMessageBytes`). */
  readonly maxMessageBytes: number;
  readonly model?: ObjectModel;
  readonly now?: () => number;
  /** Scale-out: registrations shared with the other instances, so the next owner of an endpoint continues it. */
  readonly sessionStore?: SessionStore;
}

/** `llmiot_messages_received_total{protocol="lwm2m",type}` label per uplink topic. */
const RECEIVED_TYPES: Readonly<Record<UplinkKind, string>> = { reg: 'register', update: 'update', dereg: 'deregister', resp: 'response', notify: 'notify' };
const ACK_TYPES: Readonly<Record<UplinkKind, AckType>> = { reg: 'register', update: 'update', dereg: 'deregister', resp: 'error', notify: 'error' };

export class Lwm2mAdapter implements ProtocolAdapter, CommandChannel {
  readonly name = 'lwm2m';
  readonly protocol = 'lwm2m';
  readonly #o: Lwm2mAdapterOptions;
  readonly #model: ObjectModel;
  readonly #sessions = new Map<string, Lwm2mSession>();
  readonly #tracker = new RequestTracker();
  readonly #activity: EndpointActivity;
  readonly #lifetimes: LifetimeTracker;
  readonly #registrations: RegistrationHandler;
  readonly #operations: OperationRunner;
  /** Per-endpoint message chains: one endpoint's messages are handled in order, endpoints in parallel. */
  readonly #chains = new Map<string, Promise<void>>();
  /** The receipt of the QoS 1 message each endpoint's chain is handling: its PUBACK waits for its commits. */
  readonly #receipts = new Map<string, CommitReceipt>();
  readonly #cleanups: (() => void | Promise<void>)[] = [];
  readonly #shared: SharedRegistrations | undefined;
  readonly #now: () => number;

  /** One warn line per endpoint per interval; the counter counts every rejection. */
  readonly #rejections: ThrottledLog;

  constructor(options: Lwm2mAdapterOptions) {
    this.#o = options;
    const model = options.model ?? new ObjectModel();
    this.#model = model;
    const now = options.now ?? Date.now;
    this.#now = now;
    this.#shared = options.sessionStore === undefined ? undefined : new SharedRegistrations(options.sessionStore, model, options.logger);
    this.#rejections = new ThrottledLog({ logger: options.logger, now });
    this.#activity = new EndpointActivity(now);
    const sync = new Lwm2mDeviceSync({
      registry: options.registry,
      ingress: options.ingress,
      model,
      logger: options.logger,
      now,
      onTelemetryLost: (endpoint, error, points) => this.#reject('telemetry_not_stored', endpoint, `${points} points: ${error instanceof Error ? error.message : String(error)}`),
      receiptFor: (endpoint) => this.#receipts.get(endpoint),
    });
    this.#lifetimes = new LifetimeTracker((endpoint) => this.#serially(endpoint, () => this.#registrations.expire(endpoint)));
    this.#operations = new OperationRunner({
      sessions: this.#sessions,
      tracker: this.#tracker,
      ingress: options.ingress,
      sync,
      model,
      logger: options.logger,
      send: (endpoint, reqID, request) => this.#publish(endpoint, { reqID, msgType: request.msgType, data: request.data, ...(request.encoding === undefined ? {} : { encoding: request.encoding }) }),
      reject: (reason, endpoint, detail) => this.#reject(reason, endpoint, detail),
      touch: (deviceId) => options.ingress.seen(deviceId),
      device: (deviceId) => options.registry.get(deviceId),
      activity: this.#activity,
      now,
    });
    this.#registrations = new RegistrationHandler({
      sessions: this.#sessions,
      sync,
      lifetimes: this.#lifetimes,
      model,
      logger: options.logger,
      ack: (endpoint, msgType, code, data) => this.#ack(endpoint, msgType, code, data),
      reject: (reason, endpoint, detail) => this.#reject(reason, endpoint, detail),
      touch: (deviceId) => options.ingress.seen(deviceId),
      endSession: (session, reason) => this.#endSession(session, reason),
      reobserve: (session, observations) => this.#operations.reobserve(session, observations),
    });
  }

  async start(): Promise<void> {
    for (const filter of LWM2M_UPLINK_FILTERS) {
      const unsubscribe = await this.#o.bus.subscribe(filter, (topic, payload, meta) => this.#onMessage(topic, payload, meta), { qos: 1 });
      this.#cleanups.push(unsubscribe);
    }
    this.#cleanups.push(this.#o.bus.onPresence((event) => this.#onPresence(event)));
    this.#cleanups.push(
      this.#o.events.on('command.updated', ({ command }) => {
        if (isTerminal(command.state)) this.#operations.commandEnded(command.id);
      }),
    );
  }

  async stop(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup();
    this.#lifetimes.stop();
    await Promise.allSettled([...this.#chains.values()]);
    this.#tracker.clear();
    this.#activity.clear();
    this.#sessions.clear();
  }

  /** Endpoints with a live registration. */
  registeredEndpoints(): string[] {
    return [...this.#sessions.keys()];
  }

  /**
   * `lwm2m.*` for every MCU that speaks LwM2M (offline ones are refused by the executor, ones with no
   * live registration answer DEVICE_OFFLINE); the generic `mcu.*` methods and `mcu.upload_program` only
   * while the device is registered, so another protocol of the device can carry them otherwise; the
   * generic `sensor.*` methods on every attached IPSO instance (docs/generic-methods.md).
   */
  supports(device: Device, method: string, params?: JsonObject): boolean {
    if (!device.protocols.includes('lwm2m')) return false;
    if (device.parentId !== null) {
      return isGenericSensorMethod(method) && ipsoInstanceOf(device) !== undefined && (params === undefined || takesParams(this.#model, undefined, device, method, params));
    }
    if (Object.hasOwn(LWM2M_METHOD_OPERATIONS, method)) return true;
    const session = this.#sessions.get(device.hardwareId);
    if (session === undefined || !(ROUTED_MCU_METHODS.includes(method) || isGenericMcuMethod(method))) return false;
    // Config keys that are no LwM2M resource: let the device's other protocol carry them (docs/generic-methods.md).
    return params === undefined || takesParams(this.#model, session.registration, device, method, params);
  }

  async deliver(target: Device, command: CommandRecord): Promise<void> {
    await this.#operations.deliver(target, command);
    // An observe or cancel changed the observations another owner would take over.
    if (this.#shared !== undefined) this.#serially(target.hardwareId, () => this.#share(target.hardwareId));
  }

  /**
   * Scale-out: this instance owns `endpoint` now. Read its registration back from the shared store
   * (when another instance holds none), so commands reach it before its next Update.
   */
  adopt(endpoint: string): void {
    if (this.#shared === undefined) return;
    // A store that cannot be read was logged: the endpoint's next message reads it again.
    this.#serially(endpoint, () => this.#restore(endpoint).catch(() => {}));
  }

  /** Scale-out: another instance owns `endpoint` now and continues its registration: forget it here, the device stays registered and online. */
  release(endpoint: string): void {
    this.#serially(endpoint, () => {
      if (!this.#sessions.delete(endpoint)) return;
      this.#activity.forget(endpoint);
      this.#lifetimes.cancel(endpoint);
      this.#tracker.dropEndpoint(endpoint);
      this.#shared?.forget(endpoint);
    });
  }

  /**
   * Acknowledged means stored: a QoS 1 message is held (its PUBACK waits) until it is handled, in its
   * endpoint's order, and the telemetry it carried (registration values, read answers, notifications)
   * is committed; a message refused at the door is acknowledged at once (sending it again would not help).
   */
  #onMessage(topic: string, payload: Buffer, meta: MessageMeta): Promise<void> | undefined {
    const parsed = parseUplinkTopic(topic);
    if (parsed === undefined) {
      this.#reject('bad_topic', meta.clientId, topic);
      return undefined;
    }
    const { endpoint, kind } = parsed;
    // On the embedded broker a client may only speak for the endpoint named by its client id.
    if (meta.clientId !== undefined && meta.clientId !== endpoint) {
      this.#reject('spoofed_topic', meta.clientId, `published on ${topic}`);
      return undefined;
    }
    this.#o.metrics.received.inc({ protocol: 'lwm2m', type: RECEIVED_TYPES[kind] });
    if (payload.length > this.#o.maxMessageBytes) {
      this.#reject('oversized', endpoint, `${payload.length} bytes > ${this.#o.maxMessageBytes} on ${topic}`);
      if (kind === 'reg' || kind === 'update' || kind === 'dereg' || this.#sessions.has(endpoint)) {
        this.#ack(endpoint, ACK_TYPES[kind], '4.00', { reason: `message too large: ${payload.length} bytes, limit ${this.#o.maxMessageBytes}` });
      }
      return undefined;
    }
    const receipt = meta.qos === 1 ? new CommitReceipt() : undefined;
    this.#serially(endpoint, async () => {
      if (receipt === undefined) return this.#handle(endpoint, kind, payload);
      this.#receipts.set(endpoint, receipt);
      try {
        await this.#handle(endpoint, kind, payload);
      } catch (error) {
        // Not taken (the shared registration could not be read): not acknowledged, the broker sends it again.
        if (worthResending(error)) receipt.refused(error);
        throw error;
      } finally {
        this.#receipts.delete(endpoint);
        receipt.close();
      }
    });
    return receipt?.settled;
  }

  /** One uplink message, in its endpoint's turn. */
  async #handle(endpoint: string, kind: UplinkKind, payload: Buffer): Promise<void> {
    if (this.#shared !== undefined) {
      // Scale-out: an endpoint another instance registered continues here (its owner died or left).
      if (!this.#sessions.has(endpoint)) await this.#restore(endpoint);
      await this.#handleOwn(endpoint, kind, payload);
      await this.#share(endpoint);
      return;
    }
    return this.#handleOwn(endpoint, kind, payload);
  }

  async #handleOwn(endpoint: string, kind: UplinkKind, payload: Buffer): Promise<void> {
    switch (kind) {
      case 'reg':
        await this.#registrations.register(endpoint, payload);
        if (this.#sessions.has(endpoint)) {
          this.#activity.registered(endpoint);
          this.#shared?.renewed(endpoint, this.#now());
        }
        return;
      case 'update':
        await this.#registrations.update(endpoint, payload);
        if (this.#sessions.has(endpoint)) {
          this.#activity.updated(endpoint);
          this.#shared?.renewed(endpoint, this.#now());
        }
        return;
      case 'dereg':
        return this.#registrations.deregister(endpoint);
      case 'resp':
        this.#activity.heard(endpoint);
        return this.#withAck(endpoint, this.#operations.onResponse(endpoint, payload));
      case 'notify':
        this.#activity.heard(endpoint);
        return this.#withAck(endpoint, this.#operations.onNotify(endpoint, payload));
    }
  }

  // A refused answer or notification from a registered device is acknowledged 4.00 on `dn`; the reqID
  // it carried goes in `data`, so the acknowledgement is never mistaken for a request.
  #withAck(endpoint: string, refused: { reason: string; reqID?: number } | undefined): void {
    if (refused === undefined || !this.#sessions.has(endpoint)) return;
    this.#ack(endpoint, 'error', '4.00', { reason: refused.reason, ...(refused.reqID === undefined ? {} : { reqID: refused.reqID }) });
  }

  #serially(endpoint: string, task: () => Promise<void> | void): void {
    const previous = this.#chains.get(endpoint) ?? Promise.resolve();
    const chained: Promise<void> = previous
      .then(task)
      .catch((error: unknown) => this.#o.logger.error({ err: error, endpoint }, 'lwm2m: message handling failed'))
      .finally(() => {
        if (this.#chains.get(endpoint) === chained) this.#chains.delete(endpoint);
      });
    this.#chains.set(endpoint, chained);
  }

  #onPresence(event: PresenceEvent): void {
    if (event.connected || !this.#sessions.has(event.clientId)) return;
    // In arrival order with the endpoint's messages: an answer that came before the connection ended
    // (a reboot's 2.04) completes its command before the disconnect fails what is still pending.
    this.#serially(event.clientId, () => {
      const session = this.#sessions.get(event.clientId);
      if (session === undefined) return;
      // The registration stays until its lifetime ends: a reconnecting device may simply Update.
      this.#tracker.dropEndpoint(session.endpoint);
      const failed = this.#o.ingress.disconnected(session.deviceId, event.abrupt ? 'connection lost' : 'disconnected');
      this.#o.logger.info({ endpoint: session.endpoint, abrupt: event.abrupt ?? false, failedCommands: failed }, 'lwm2m: device disconnected');
    });
  }

  /** Write the endpoint's registration to the shared store when it changed (scale-out). */
  async #share(endpoint: string): Promise<void> {
    const session = this.#sessions.get(endpoint);
    if (session !== undefined) await this.#shared?.save(session);
  }

  /** Take over a registration another instance kept (scale-out); nothing when there is none or it expired. */
  async #restore(endpoint: string): Promise<void> {
    if (this.#shared === undefined || this.#sessions.has(endpoint)) return;
    const restored = await this.#shared.restore(endpoint, this.#now(), expiryDeadline);
    if (restored === undefined || this.#sessions.has(endpoint)) return;
    const { session, updatedAt } = restored;
    this.#sessions.set(endpoint, session);
    this.#lifetimes.renewFrom(endpoint, session.registration.lifetimeS, updatedAt);
    this.#activity.registered(endpoint);
    this.#o.logger.info({ endpoint, deviceId: session.deviceId, observations: session.observations.size }, 'lwm2m: registration continued from the shared store');
  }

  #endSession(session: Lwm2mSession, reason: string): void {
    // In the endpoint's turn, so a Register right behind it is shared after the removal.
    const shared = this.#shared;
    if (shared !== undefined) this.#serially(session.endpoint, () => shared.remove(session.endpoint));
    this.#sessions.delete(session.endpoint);
    this.#activity.forget(session.endpoint);
    this.#lifetimes.cancel(session.endpoint);
    this.#tracker.dropEndpoint(session.endpoint);
    const flow = session.firmware;
    session.firmware = undefined;
    flow?.abort();
    this.#o.ingress.disconnected(session.deviceId, reason, { protocol: 'lwm2m' });
  }

  #ack(endpoint: string, msgType: AckType, code: string, data: Record<string, unknown> = {}): void {
    this.#publish(endpoint, { msgType, data: { code, codeMsg: codeMessage(code), ...data } }).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, endpoint }, 'lwm2m: acknowledgement not delivered');
    });
  }

  #publish(endpoint: string, message: Record<string, unknown>): Promise<void> {
    return this.#o.bus.publish(downlinkTopic(endpoint), JSON.stringify(message), { qos: 1 });
  }

  #reject(reason: string, endpoint: string | undefined, detail: string): void {
    this.#o.metrics.rejected.inc({ protocol: 'lwm2m', reason });
    this.#rejections.warn(endpoint ?? '', { endpoint, reason, detail }, 'lwm2m: message rejected');
  }
}
