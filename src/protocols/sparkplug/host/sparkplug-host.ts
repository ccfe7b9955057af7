/**
 * Sparkplug B 3.0 Host Application: STATE birth/death, edge node and device sessions from
 * BIRTH/DEATH certificates, DATA into the telemetry pipeline in seq order, rebirth requests, and
 * hub commands as NCMD/DCMD. Bad input is logged with the edge node id, counted and dropped.
 */
import { CommitReceipt } from '../../../core/commit-receipt.ts';
import type { CommandChannel } from '../../../core/command-channel.ts';
import type { CommandRecord } from '../../../core/command.ts';
import { deviceIdFor } from '../../../core/device-id.ts';
import { ThrottledLog } from '../../../log/throttled-log.ts';
import type { DeviceIngress, DeviceLookup } from '../../../core/device-ingress.ts';
import type { Device } from '../../../core/device.ts';
import type { Logger } from '../../../log/logger.ts';
import type { HubMetrics } from '../../../metrics/hub-metrics.ts';
import type { MessageMeta, MqttBus, QoS } from '../../../core/ports/mqtt-bus.ts';
import type { ProtocolAdapter } from '../../../core/ports/protocol-adapter.ts';
import { decodeMaybeCompressed } from '../codec/compression.ts';
import { MalformedPayloadError } from '../codec/malformed-payload-error.ts';
import { parseTopic, SPARKPLUG_B_NAMESPACE, type SparkplugTopic } from '../codec/topic.ts';
import type { SparkplugPayload } from '../codec/types.ts';
import { deliverCommand, supportsCommand } from './command-delivery.ts';
import { ControlCommands } from './control-commands.ts';
import { ingestData } from './data-ingest.ts';
import { handleDeviceBirth, handleDeviceDeath, handleNodeBirth, handleNodeDeath } from './edge-lifecycle.ts';
import { EdgeNodeSession, sessionKey, type SequencedMessage } from './edge-node-session.ts';
import type { HostContext, HostSession } from './host-context.ts';
import { SparkplugHostMetrics } from './host-metrics.ts';
import type { HostStateMessages } from './host-state.ts';
import { parseNodelessDeviceTopic } from './nodeless-topic.ts';
import { fromBirthConnection, mayBirth } from './publisher-checks.ts';
import { RebirthRequester } from './rebirth-requester.ts';
import { StatePublisher } from './state-publisher.ts';
import { WriteConfirmations } from './write-confirmations.ts';

export interface SparkplugHostOptions {
  readonly bus: MqttBus;
  /** Read side of the fleet; every write goes through `ingress`. */
  readonly registry: DeviceLookup;
  readonly ingress: DeviceIngress;
  readonly logger: Logger;
  readonly metrics: HubMetrics;
  /** Host id and the timestamp shared by the STATE birth and the will of the hub's connection. */
  readonly state: HostStateMessages;
  /** Larger Sparkplug payloads are refused before decoding (the hub's maxMessageBytes). */
  readonly maxMessageBytes: number;
  /** Reorder Timeout in ms (default 2000; 0 = request a rebirth on the first gap). */
  readonly reorderTimeoutMs?: number;
  /** Least time between two rebirth requests to one edge node (default 5000 ms). */
  readonly rebirthDebounceMs?: number;
  /** Longest wait for a written metric to be reported back before a write completes unconfirmed (default 2000 ms). */
  readonly confirmWindowMs?: number;
  /** How often born edge nodes are marked seen, so a quiet but live session never looks offline (default 30 s). */
  readonly keepAliveMs?: number;
  readonly now?: () => number;
}

/** The namespace subscription; it covers the host's own STATE topic too ([tck-id-host-topic-phid-birth-sub-required]). */
export const SPARKPLUG_FILTER = `${SPARKPLUG_B_NAMESPACE}/#`;

export class SparkplugHost implements ProtocolAdapter, CommandChannel {
  readonly name = 'sparkplug';
  readonly protocol = 'sparkplug';
  readonly #o: SparkplugHostOptions;
  readonly #ctx: HostContext;
  readonly #sessions = new Map<string, HostSession>();
  /** The session an edge node id was last born in (commands address edge nodes by hardware id). */
  readonly #byNode = new Map<string, HostSession>();
  #unsubscribe: (() => Promise<void>) | undefined;
  readonly #state: StatePublisher;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  /** Receipts of QoS 1 messages the seq window holds back: closed when it delivers or drops them. */
  readonly #waiting = new WeakSet<CommitReceipt>();

  constructor(options: SparkplugHostOptions) {
    this.#o = options;
    const now = options.now ?? Date.now;
    const metrics = new SparkplugHostMetrics(options.metrics);
    const logger = options.logger;
    // A flood (garbage, or DATA while the pipeline is full) is counted in full but logged at most once
    // per edge node per interval, with the count of lines suppressed since.
    const rejections = new ThrottledLog({ logger, now });
    this.#ctx = {
      registry: options.registry,
      ingress: options.ingress,
      logger,
      metrics,
      now,
      rebirth: new RebirthRequester({ bus: options.bus, logger, metrics, now, debounceMs: options.rebirthDebounceMs ?? 5_000 }),
      // A confirmation is the node's own report of the written values; a control is done once published: the node answers.
      confirmations: new WriteConfirmations((id, outcome, key) => options.ingress.completed(id, this.#sessions.get(key)?.uuid ?? '', outcome)),
      controls: new ControlCommands((id, outcome, key) => options.ingress.completed(id, this.#sessions.get(key)?.uuid ?? '', outcome)),
      reject(reason, where, detail) {
        metrics.rejected(reason);
        rejections.warn(`${where.groupId ?? ''}/${where.edgeNodeId ?? ''}`, { ...where, reason, detail }, 'sparkplug: message rejected');
      },
      warnOnce(session, kind, detail) {
        if (session.warned.has(kind)) return;
        session.warned.add(kind);
        logger.warn({ groupId: session.groupId, edgeNodeId: session.edgeNodeId, kind, detail }, 'sparkplug: tolerated deviation from the specification');
      },
      receipt: undefined,
    };
    this.#state = new StatePublisher({ bus: options.bus, state: options.state, logger, reject: (reason, where, detail) => this.#ctx.reject(reason, where, detail) });
  }

  get hostId(): string {
    return this.#o.state.hostId;
  }

  /**
   * Subscribe to the namespace, then publish the STATE birth ([tck-id-message-flow-phid-sparkplug-subscription],
   * [tck-id-host-topic-phid-birth-required]): QoS 1, retained ([tck-id-host-topic-phid-birth-qos],
   * [tck-id-host-topic-phid-birth-retain]), with the will's timestamp ([tck-id-host-topic-phid-birth-payload-timestamp]).
   */
  async start(): Promise<void> {
    // Unshared even when the hub uses a shared-subscription group: seq order needs every message of an edge node.
    // QoS 1 so that Wills (NDEATH) and STATE are not downgraded (sparkplug#22).
    const options: { qos: QoS; shared: boolean } = { qos: 1, shared: false };
    this.#unsubscribe = await this.#o.bus.subscribe(SPARKPLUG_FILTER, (topic, payload, meta) => this.#onMessage(topic, payload, meta), options);
    await this.#state.online();
    const every = this.#o.keepAliveMs ?? 30_000;
    this.#keepAlive = setInterval(() => this.#touchLiveNodes(), every);
    this.#keepAlive.unref?.();
  }

  /**
   * Publish the offline STATE ([tck-id-operational-behavior-host-application-termination]: QoS 1,
   * retained, the will's timestamp) and stop republishing the online one. Called before the
   * hub's listeners close, so the devices connected to the embedded broker still receive it; once.
   */
  goingOffline(): Promise<void> {
    return this.#state.offline();
  }

  /** The offline STATE (unless {@link goingOffline} sent it already) before the bus sends DISCONNECT, then unsubscribe and drop timers. */
  async stop(): Promise<void> {
    if (this.#keepAlive !== undefined) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    await this.goingOffline();
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.();
    for (const session of this.#sessions.values()) session.window.clear();
    this.#ctx.confirmations.clear();
    this.#ctx.controls.clear();
    this.#ctx.rebirth.clear();
  }

  /**
   * Scale-out: this hub instance now owns edge node `edgeNodeId` (another left, or this one joined).
   * What it knew of the node's session is stale: forget it and ask the node to rebirth, so seq order
   * and aliases start over from a BIRTH seen here. `seenInGroup`: the group of its last message.
   */
  adopt(edgeNodeId: string, seenInGroup?: string): void {
    const sparkplug = this.#o.registry.getByHardwareId(edgeNodeId)?.dynamicState['sparkplug'];
    const stored = typeof sparkplug === 'object' && sparkplug !== null && !Array.isArray(sparkplug) ? (sparkplug as Record<string, unknown>)['group_id'] : undefined;
    const groupId = seenInGroup ?? stored;
    if (typeof groupId !== 'string' || groupId === 'STATE') return;
    const key = sessionKey(groupId, edgeNodeId);
    this.#sessions.get(key)?.window.clear();
    this.#sessions.delete(key);
    if (this.#byNode.get(edgeNodeId)?.key === key) this.#byNode.delete(edgeNodeId);
    this.#ctx.rebirth.request(groupId, edgeNodeId, 'owner_changed', 'this hub instance took the edge node over');
  }

  /**
   * Scale-out: messages of a node that other instances kept while its dead owner could no longer
   * store them, in arrival order (its birth certificates first). Handled as if they came now, in the
   * node's own session: where the window dropped older messages (`resume`), the session's seq order
   * continues from that message (Sparkplug 3.0 §5 host message ordering: the dead owner processed the
   * messages before it). The rebirth the adoption asked for then starts a new session.
   */
  replay(messages: readonly { readonly topic: string; readonly payload: Buffer; readonly resume: boolean }[]): void {
    const meta: MessageMeta = { retain: false, qos: 0 };
    // The dead owner counted these when they arrived: a replay shows in llmiot_sparkplug_replayed_messages_total only.
    this.#ctx.metrics.replaying(() => {
      for (const message of messages) {
        if (message.resume) this.#resumeAt(message.topic, message.payload);
        this.#onMessage(message.topic, message.payload, meta);
      }
    });
  }

  /** Continue a born session's seq order at this message (a replay across a gap in the kept window). */
  #resumeAt(topic: string, payload: Buffer): void {
    const levels = topic.split('/');
    const groupId = levels[1];
    const edgeNodeId = levels[3];
    if (groupId === undefined || edgeNodeId === undefined) return;
    const session = this.#sessions.get(sessionKey(groupId, edgeNodeId));
    if (session === undefined || !session.born) return;
    let seq: bigint | undefined;
    try {
      seq = decodeMaybeCompressed(payload, { maxBytes: this.#o.maxMessageBytes }).seq;
    } catch {
      return;
    }
    if (seq !== undefined) session.window.reset((Number(seq % 256n) + 255) % 256);
  }

  supports(device: Device, method: string): boolean {
    return supportsCommand(device, method);
  }

  deliver(target: Device, command: CommandRecord): Promise<void> {
    return deliverCommand(
      this.#ctx,
      { bus: this.#o.bus, sessionOf: (edgeNodeId) => this.#byNode.get(edgeNodeId), confirmWindowMs: this.#o.confirmWindowMs ?? 2_000 },
      target,
      command,
    );
  }

  /**
   * Acknowledged means stored: Sparkplug sends BIRTH and DATA at QoS 0 ([tck-id-topics-nbirth-qos],
   * [tck-id-topics-ndata-qos]), but an edge node that sends them at QoS 1 gets its PUBACK only once the
   * message is processed (in seq order: a held one waits for its turn) and its points are committed.
   */
  #onMessage(topic: string, payload: Buffer, meta: MessageMeta): Promise<void> | undefined {
    const receipt = meta.qos === 1 ? new CommitReceipt() : undefined;
    this.#ctx.receipt = receipt;
    try {
      this.#route(topic, payload, meta, receipt);
    } finally {
      this.#ctx.receipt = undefined;
    }
    if (receipt === undefined) return undefined;
    // Held by the seq window: closed when the window delivers or drops it.
    if (!this.#waiting.has(receipt)) receipt.close();
    return receipt.settled;
  }

  #route(topic: string, payload: Buffer, meta: MessageMeta, receipt: CommitReceipt | undefined): void {
    let parsed: SparkplugTopic;
    try {
      parsed = parseTopic(topic);
    } catch (error) {
      const nodeless = parseNodelessDeviceTopic(topic);
      if (nodeless === undefined) {
        const edgeNodeId = topic.split('/')[3];
        this.#ctx.reject('bad_topic', edgeNodeId === undefined ? {} : { edgeNodeId }, `${topic}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      // Seed 002's `spBv1.0/{g}/DBIRTH/{node}`: the edge node's own device (nodeless-topic.ts).
      this.#ctx.metrics.nodeless(nodeless.messageType);
      parsed = { kind: 'device', groupId: nodeless.groupId, messageType: nodeless.messageType, edgeNodeId: nodeless.edgeNodeId, deviceId: nodeless.deviceId };
      return this.#onDeviceMessage(parsed, payload, meta, true, receipt);
    }
    if (parsed.kind === 'state') return this.#state.onState(parsed.hostId, payload, meta);
    this.#onDeviceMessage(parsed, payload, meta, false, receipt);
  }

  /** A node or device message (`nodeless`: a device message without a device level). */
  #onDeviceMessage(parsed: Exclude<SparkplugTopic, { kind: 'state' }>, payload: Buffer, meta: MessageMeta, nodeless: boolean, receipt: CommitReceipt | undefined): void {
    const type = parsed.messageType;
    // Host → edge traffic (ours, or another host's): nothing to ingest.
    if (type === 'NCMD' || type === 'DCMD') return;
    this.#ctx.metrics.received(type);
    const deviceId = parsed.kind === 'device' ? parsed.deviceId : undefined;
    const where = { groupId: parsed.groupId, edgeNodeId: parsed.edgeNodeId, ...(deviceId !== undefined && { deviceId }) };
    if (payload.length > this.#o.maxMessageBytes) {
      this.#ctx.reject('oversized', where, `${type} of ${payload.length} bytes > ${this.#o.maxMessageBytes}`);
      return;
    }
    // [tck-id-payloads-nbirth-retain] and the like: only STATE is retained; a retained BIRTH or DATA is history.
    if (meta.retain) {
      this.#ctx.reject('retained', where, `retained ${type} ignored`);
      return;
    }
    let decoded: SparkplugPayload;
    try {
      decoded = decodeMaybeCompressed(payload, { maxBytes: this.#o.maxMessageBytes });
    } catch (error) {
      if (!(error instanceof MalformedPayloadError)) throw error;
      this.#ctx.reject('malformed_payload', where, `${type}: ${error.message}`);
      return;
    }
    try {
      if (nodeless) this.#dispatchNodeless(parsed.groupId, parsed.edgeNodeId, type, deviceId as string, decoded, meta, receipt);
      else this.#dispatch(parsed.groupId, parsed.edgeNodeId, type, deviceId, decoded, meta, receipt);
    } catch (error) {
      this.#o.logger.error({ err: error, ...where, type }, 'sparkplug: message handling failed');
    }
    const session = this.#sessions.get(sessionKey(parsed.groupId, parsed.edgeNodeId));
    if (session !== undefined) session.lastMessageAt = this.#ctx.now();
  }

  /**
   * A device message without a device level. With no NBIRTH there is no seq to order by (each is
   * processed as it arrives) and no bdSeq: a DBIRTH of an edge node that is not born births it
   * implicitly (an empty NBIRTH), so the node and its own device are online.
   */
  #dispatchNodeless(groupId: string, edgeNodeId: string, type: string, deviceId: string, payload: SparkplugPayload, meta: MessageMeta, receipt: CommitReceipt | undefined): void {
    let session = this.#sessions.get(sessionKey(groupId, edgeNodeId));
    if (session === undefined || !session.born) {
      if (type !== 'DBIRTH') {
        this.#ctx.reject('data_before_birth', { groupId, edgeNodeId, deviceId }, `${type} without a device level before its DBIRTH`);
        return;
      }
      if (!mayBirth(this.#ctx, groupId, edgeNodeId, meta)) return;
      session ??= this.#newSession(groupId, edgeNodeId);
      session.clientId = meta.clientId;
      handleNodeBirth(this.#ctx, session, { ...(payload.timestamp !== undefined && { timestamp: payload.timestamp }), metrics: [] });
      if (!session.born) return;
      session.implicit = true;
      this.#adopt(session);
    } else if (!fromBirthConnection(this.#ctx, session, type, meta, deviceId)) {
      return;
    }
    this.#process(session, { type: type as SequencedMessage<SparkplugPayload>['type'], deviceId, payload, ...(receipt !== undefined && { receipt }) });
  }

  #dispatch(groupId: string, edgeNodeId: string, type: string, deviceId: string | undefined, payload: SparkplugPayload, meta: MessageMeta, receipt: CommitReceipt | undefined): void {
    const key = sessionKey(groupId, edgeNodeId);
    if (type === 'NBIRTH') {
      if (!mayBirth(this.#ctx, groupId, edgeNodeId, meta)) return;
      const session = this.#sessions.get(key) ?? this.#newSession(groupId, edgeNodeId);
      session.implicit = false;
      session.clientId = meta.clientId;
      handleNodeBirth(this.#ctx, session, payload);
      if (session.born) this.#adopt(session);
      return;
    }
    const session = this.#sessions.get(key);
    if (type === 'NDEATH') {
      if (session === undefined) return;
      // A reboot (or other control) this node dies of succeeded: settle it before the death fails what is pending.
      if (session.born) this.#ctx.controls.settleSession(session.key);
      handleNodeDeath(this.#ctx, session, payload, meta);
      return;
    }
    if (session === undefined || !session.born) {
      // DATA (or a DBIRTH / DDEATH) from an edge node the host has no NBIRTH for (§5 "Receive Data", MAY rebirth).
      this.#ctx.reject('data_before_birth', { groupId, edgeNodeId, ...(deviceId !== undefined && { deviceId }) }, `${type} before NBIRTH`);
      this.#ctx.rebirth.request(groupId, edgeNodeId, 'data_before_birth', `${type} before NBIRTH`);
      return;
    }
    if (!fromBirthConnection(this.#ctx, session, type, meta, deviceId)) return;
    const message: SequencedMessage<SparkplugPayload> = { type: type as SequencedMessage<SparkplugPayload>['type'], deviceId, payload, ...(receipt !== undefined && { receipt }) };
    if (payload.seq === undefined) {
      this.#ctx.warnOnce(session, 'missing_seq', `${type} without seq processed as it arrived`);
      this.#process(session, message);
      return;
    }
    const seq = Number(payload.seq % 256n);
    const verdict = session.window.offer(seq, message);
    if (verdict === 'held' && receipt !== undefined) this.#waiting.add(receipt);
    if (verdict === 'stale') {
      this.#ctx.reject('stale_seq', { groupId, edgeNodeId }, `${type} seq ${seq} is behind the expected ${session.window.expected}`);
    }
  }

  #newSession(groupId: string, edgeNodeId: string): HostSession {
    const session: HostSession = new EdgeNodeSession<SparkplugPayload>(groupId, edgeNodeId, deviceIdFor(edgeNodeId), {
      timeoutMs: this.#o.reorderTimeoutMs ?? 2_000,
      deliver: (message) => this.#process(session, message),
      onDropped: (message) => this.#settle(message),
      onGap: (missing, held) => this.#ctx.rebirth.request(groupId, edgeNodeId, 'seq_gap', `seq ${missing} missing after the reorder timeout (${held} later messages held)`),
    });
    this.#sessions.set(session.key, session);
    return session;
  }

  /** Commands to this edge node id go to `session`; warn when another group has a node of the same id (one hub device). */
  #adopt(session: HostSession): void {
    const other = this.#byNode.get(session.edgeNodeId);
    if (other !== undefined && other !== session && other.born) {
      this.#o.logger.warn({ edgeNodeId: session.edgeNodeId, groups: [other.groupId, session.groupId] }, 'sparkplug: one edge_node_id in two groups maps to one hub device');
    }
    this.#byNode.set(session.edgeNodeId, session);
  }

  /** A held QoS 1 message left the window: its PUBACK waits for nothing more of it. */
  #settle(message: SequencedMessage<SparkplugPayload>): void {
    if (message.receipt === undefined) return;
    this.#waiting.delete(message.receipt);
    message.receipt.close();
  }

  #process(session: HostSession, message: SequencedMessage<SparkplugPayload>): void {
    // A message released from the window by a later one commits on its own receipt.
    const outer = this.#ctx.receipt;
    if (message.receipt !== undefined) this.#ctx.receipt = message.receipt;
    try {
      this.#processNow(session, message);
    } finally {
      this.#ctx.receipt = outer;
      this.#settle(message);
    }
  }

  #processNow(session: HostSession, message: SequencedMessage<SparkplugPayload>): void {
    try {
      switch (message.type) {
        case 'NDATA':
          return ingestData(this.#ctx, session, undefined, message.payload);
        case 'DDATA':
          return ingestData(this.#ctx, session, message.deviceId, message.payload);
        case 'DBIRTH':
          return handleDeviceBirth(this.#ctx, session, message.deviceId as string, message.payload);
        case 'DDEATH':
          this.#ctx.controls.settleSession(session.key);
          return handleDeviceDeath(this.#ctx, session, message.deviceId as string, message.payload);
      }
    } catch (error) {
      this.#o.logger.error({ err: error, groupId: session.groupId, edgeNodeId: session.edgeNodeId, type: message.type }, 'sparkplug: message handling failed');
    }
  }

  /** A born node is alive until its NDEATH: keep the liveness monitor from timing it out between exceptions. */
  #touchLiveNodes(): void {
    // An implicit node (no NBIRTH, no will) has no NDEATH to end it: only its own messages keep it seen.
    for (const session of this.#sessions.values()) if (session.born && !session.implicit) this.#o.ingress.seen(session.uuid);
  }
}
