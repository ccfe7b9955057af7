/**
 * Native LLM-IoT protocol over MQTT: JSON-RPC 2.0 from devices on `llmiot/v1/{id}/up` goes to the
 * same dispatcher as HTTP and WebSocket; answers and hub→device commands go out on `…/down`.
 * Garbage is logged with the client id, counted and dropped; nothing a device sends stops the hub.
 */
import type { CommandChannel } from '../../core/command-channel.ts';
import { errorWorthResending, worthResending } from '../../core/commit-receipt.ts';
import type { CommandRecord } from '../../core/command.ts';
import type { DeviceIngress, DeviceLookup } from '../../core/device-ingress.ts';
import type { Device } from '../../core/device.ts';
import { ERROR_CATALOGUE, errorObject, HubError } from '../../core/errors.ts';
import type { Logger } from '../../log/logger.ts';
import { ThrottledLog } from '../../log/throttled-log.ts';
import type { HubMetrics } from '../../metrics/hub-metrics.ts';
import type { MessageMeta, MqttBus, PresenceEvent } from '../../core/ports/mqtt-bus.ts';
import type { RpcDispatcher, IncomingResponse, JsonRpcResponse } from '../../rpc/dispatcher.ts';
import type { CallContext } from '../../rpc/method.ts';
import type { ProtocolAdapter } from '../../core/ports/protocol-adapter.ts';
import { clientIdOfUpTopic, downTopic, NATIVE_UP_FILTER } from './topics.ts';

export interface NativeAdapterOptions {
  readonly bus: MqttBus;
  readonly dispatcher: RpcDispatcher;
  readonly registry: DeviceLookup;
  readonly ingress: DeviceIngress;
  readonly logger: Logger;
  readonly metrics: HubMetrics;
  readonly maxMessageBytes: number;
  /** Clock of the rejection log's throttle; Date.now when absent. */
  readonly now?: () => number;
  /** Scale-out: read an unknown device from the shared store before handling its message (ProtocolContext.catchUp). */
  readonly catchUp?: (hardwareId: string) => Promise<boolean>;
}

/** A client's connection-scoped state: its sessions and close callbacks (subscriptions over MQTT). */
interface ClientSession {
  readonly context: CallContext;
  readonly cleanups: (() => void)[];
}

export class NativeAdapter implements ProtocolAdapter, CommandChannel {
  readonly name = 'native';
  readonly protocol = 'native';
  readonly #o: NativeAdapterOptions;
  readonly #sessions = new Map<string, ClientSession>();
  /** Held QoS 1 messages by their own call context (#heldContext). */
  readonly #deliveries = new WeakMap<CallContext, Delivery>();
  #unsubscribe: (() => Promise<void>) | undefined;
  #unpresence: (() => void) | undefined;

  /** One warn line per client per interval; the counter counts every rejection. */
  readonly #rejections: ThrottledLog;

  constructor(options: NativeAdapterOptions) {
    this.#o = options;
    this.#rejections = new ThrottledLog(options.now === undefined ? { logger: options.logger } : { logger: options.logger, now: options.now });
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#o.bus.subscribe(NATIVE_UP_FILTER, (topic, payload, meta) => this.#guarded(topic, payload, meta), { qos: 1 });
    this.#unpresence = this.#o.bus.onPresence((event) => this.#onPresence(event));
  }

  async stop(): Promise<void> {
    this.#unpresence?.();
    await this.#unsubscribe?.();
    for (const clientId of [...this.#sessions.keys()]) this.#endSession(clientId);
  }

  /** Native devices implement the mcu.* and sensor.* commands of docs/protocol.md; protocol-specific methods go elsewhere. */
  supports(device: Device, method: string): boolean {
    return device.parentId === null && device.protocols.includes('native') && (method.startsWith('mcu.') || method.startsWith('sensor.'));
  }

  async deliver(target: Device, command: CommandRecord): Promise<void> {
    const message = { jsonrpc: '2.0', id: command.id, method: command.method, params: command.params };
    await this.#o.bus.publish(downTopic(target.hardwareId), JSON.stringify(message), { qos: 1 });
  }

  /** Route a device's answer to a hub command. Called by the dispatcher's onResponse. */
  handleResponse(message: IncomingResponse, context: CallContext): void {
    if (context.transport !== 'mqtt' || typeof message.id !== 'string') {
      this.#reject('unmatched_response', context.clientId, 'response without a hub command id');
      return;
    }
    const outcome =
      message.error !== undefined
        ? { error: normalizeError(message.error) }
        : { result: message.result };
    // The answer comes from the MCU of this connection; the ingress refuses it unless that MCU is the command's target.
    const from = context.clientId === undefined ? undefined : this.#o.registry.getByHardwareId(context.clientId);
    const taken = from === undefined ? 'unknown' : this.#o.ingress.completed(message.id, from.id, outcome);
    if (taken === 'unknown') this.#reject('unmatched_response', context.clientId, `no pending command ${message.id}`);
  }

  /** A notification's handler failed: no one to answer, so log and count it. */
  notificationFailed(method: string, error: unknown, context: CallContext): void {
    if (context.transport !== 'mqtt') return;
    const delivery = this.#deliveries.get(context);
    if (delivery !== undefined && worthResending(error)) delivery.retry = true;
    const reason = error instanceof HubError ? error.code.toLowerCase() : 'internal_error';
    if (reason === 'method_not_allowed') return this.#refused(context.clientId, method);
    this.#reject(reason, context.clientId, `${method}: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Nothing a device sends may throw out of the bus handler: log it, count it, carry on. */
  #guarded(topic: string, payload: Buffer, meta: MessageMeta): Promise<void> | undefined {
    try {
      return this.#onMessage(topic, payload, meta);
    } catch (error) {
      this.#o.metrics.rejected.inc({ protocol: 'native', reason: 'internal_error' });
      this.#o.logger.error({ err: error, clientId: meta.clientId, topic }, 'native: message handling failed');
      return undefined;
    }
  }

  #onMessage(topic: string, payload: Buffer, meta: MessageMeta): Promise<void> | undefined {
    const clientId = clientIdOfUpTopic(topic);
    if (clientId === undefined) {
      this.#reject('bad_topic', meta.clientId, topic);
      return undefined;
    }
    // On the embedded broker a client may only speak for itself.
    if (meta.clientId !== undefined && meta.clientId !== clientId) {
      this.#reject('spoofed_topic', meta.clientId, `published on ${topic}`);
      return undefined;
    }
    this.#o.metrics.messages.native.inc();
    if (payload.length > this.#o.maxMessageBytes) {
      this.#reject('oversized', clientId, `${payload.length} bytes > ${this.#o.maxMessageBytes}`);
      this.#answer(clientId, { jsonrpc: '2.0', id: null, error: errorObject('PAYLOAD_TOO_LARGE', `message too large: ${payload.length} bytes, limit ${this.#o.maxMessageBytes}`) });
      return undefined;
    }
    let message: unknown;
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      this.#reject('malformed_json', clientId, error instanceof Error ? error.message : 'invalid JSON');
      this.#answer(clientId, { jsonrpc: '2.0', id: null, error: errorObject('PARSE_ERROR', 'Parse error: invalid JSON') });
      return undefined;
    }
    const mcu = this.#o.registry.getByHardwareId(clientId);
    if (mcu) this.#o.ingress.seen(mcu.id);
    else if (this.#o.catchUp !== undefined && !isRegistration(message)) {
      // Scale-out: this message may have overtaken the notice of the device's registration on another instance.
      const caughtUp = (): Promise<void> | undefined => {
        const known = this.#o.registry.getByHardwareId(clientId);
        if (known) this.#o.ingress.seen(known.id);
        return this.#dispatch(clientId, message, meta);
      };
      return this.#o.catchUp(clientId).then(caughtUp, caughtUp);
    }
    return this.#dispatch(clientId, message, meta);
  }

  #dispatch(clientId: string, message: unknown, meta: MessageMeta): Promise<void> | undefined {
    // Acknowledged means stored: a QoS 1 telemetry.report holds its PUBACK until its points are
    // committed (or refused for good, the refusal answered or counted); other messages are not held.
    const held = meta.qos === 1 && carriesTelemetry(message);
    const delivery: Delivery = { retry: false };
    const context = held ? this.#heldContext(clientId, delivery) : this.#context(clientId);
    const handled = this.#o.dispatcher.handleMessage(message, context).then(
      (answer) => {
        if (answer !== undefined) {
          for (const entry of Array.isArray(answer) ? answer : [answer]) {
            if ('error' in entry && entry.error.code === ERROR_CATALOGUE.METHOD_NOT_ALLOWED.rpc) this.#refused(clientId, entry.error.message);
          }
          this.#answer(clientId, answer);
        }
        if (held && answerAsksRetry(answer)) delivery.retry = true;
      },
      (error: unknown) => this.#o.logger.error({ err: error, clientId }, 'native: dispatch failed'),
    );
    if (!held) return undefined;
    return handled.then(() => {
      if (delivery.retry) throw new HubError('STORE_ERROR', `telemetry not taken from ${clientId}: to be sent again`);
    });
  }

  /** A context of its own for one held message, so a failed notification can mark just that message. */
  #heldContext(clientId: string, delivery: Delivery): CallContext {
    const context = Object.create(this.#context(clientId)) as CallContext;
    this.#deliveries.set(context, delivery);
    return context;
  }

  /** The client's call context, made once per connection (the ingestion path must not allocate it per message). */
  #context(clientId: string): CallContext {
    let state = this.#sessions.get(clientId);
    if (!state) {
      const session = new Map<string, unknown>();
      const cleanups: (() => void)[] = [];
      const context: CallContext = {
        transport: 'mqtt',
        clientId,
        principal: { id: `device:${clientId}`, kind: 'device', role: undefined },
        session,
        notify: (method, params) => this.#answer(clientId, { jsonrpc: '2.0', method, params }),
        onClose: (cleanup) => cleanups.push(cleanup),
      };
      this.#sessions.set(clientId, (state = { context, cleanups }));
    }
    return state.context;
  }

  /** Publish an answer. Runs in bus and promise callbacks: it logs and counts, it never throws. */
  #answer(clientId: string, message: unknown): void {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      // A result that cannot be serialized must not escape a bus handler and end the process.
      this.#o.metrics.rejected.inc({ protocol: 'native', reason: 'unserializable_answer' });
      this.#o.logger.error({ err: error, clientId }, 'native: answer could not be serialized');
      const id = typeof message === 'object' && message !== null && 'id' in message ? (message as { id: unknown }).id : null;
      text = JSON.stringify({ jsonrpc: '2.0', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: errorObject('INTERNAL_ERROR', 'Internal error: the answer could not be serialized') });
    }
    this.#o.bus.publish(downTopic(clientId), text, { qos: 1 }).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, clientId }, 'native: answer not delivered');
    });
  }

  #onPresence(event: PresenceEvent): void {
    if (event.connected) return;
    this.#endSession(event.clientId);
    const mcu = this.#o.registry.getByHardwareId(event.clientId);
    if (!mcu) return;
    const failed = this.#o.ingress.disconnected(mcu.id, event.abrupt ? 'connection lost' : 'disconnected');
    this.#o.logger.info({ clientId: event.clientId, abrupt: event.abrupt ?? false, failedCommands: failed }, 'native: device disconnected');
  }

  #endSession(clientId: string): void {
    const state = this.#sessions.get(clientId);
    if (!state) return;
    this.#sessions.delete(clientId);
    for (const cleanup of state.cleanups) cleanup();
  }

  /** A device asked for an operator method, or about another device: counted always, logged throttled. */
  #refused(clientId: string | undefined, detail: string): void {
    this.#o.metrics.rejected.inc({ protocol: 'native', reason: 'method_not_allowed' });
    this.#rejections.warn(`method_not_allowed:${clientId}`, { clientId, reason: 'method_not_allowed', detail }, 'native: device call refused');
  }

  #reject(reason: string, clientId: string | undefined, detail: string): void {
    this.#o.metrics.rejected.inc({ protocol: 'native', reason });
    this.#rejections.warn(clientId ?? '', { clientId, reason, detail }, 'native: message rejected');
  }
}

/** Whether a held message was not taken and should come again (set by its failure). */
interface Delivery {
  retry: boolean;
}

function answerAsksRetry(answer: JsonRpcResponse | JsonRpcResponse[] | undefined): boolean {
  if (answer === undefined) return false;
  for (const response of Array.isArray(answer) ? answer : [answer]) {
    const error = (response as { error?: { code: number; data?: unknown } }).error;
    if (error !== undefined && errorWorthResending(error)) return true;
  }
  return false;
}

/** A device.register request (the device is expected to be unknown before it). */
function isRegistration(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'device.register';
}

/** A telemetry.report request or notification, alone or in a batch. */
function carriesTelemetry(message: unknown): boolean {
  if (Array.isArray(message)) return message.some(carriesTelemetry);
  return typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'telemetry.report';
}

function normalizeError(error: unknown): { code: number; message: string; data?: unknown } {
  if (error !== null && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    const code = typeof e['code'] === 'number' ? e['code'] : -32000;
    const message = typeof e['message'] === 'string' ? e['message'] : 'device error';
    return e['data'] === undefined ? { code, message } : { code, message, data: e['data'] };
  }
  return { code: -32000, message: String(error) };
}
