/**
 * A scriptable Sparkplug B edge node for the host conformance tests, built on mqtt.js and our codec:
 * NDEATH will with bdSeq, NBIRTH/DBIRTH/DATA/DEATH with automatic or forced seq, raw publishes,
 * received NCMD/DCMD decoded, and an abrupt socket kill so the broker fires the will.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DataType, decodePayload, encodePayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import type { SparkplugMetric, SparkplugPayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import { uniqueSuffix } from '../../support/services.ts';

export interface TestEdgeNodeOptions {
  readonly url: string;
  readonly groupId: string;
  readonly edgeNodeId: string;
  /** bdSeq of this connection (default 0). */
  readonly bdSeq?: bigint;
  /** QoS of the NDEATH will (Sparkplug: 1; Tahu JS: 0). */
  readonly willQos?: 0 | 1;
  /** MQTT client id (default `edge-{edgeNodeId}-{unique}`); the edge node id itself for a device that also speaks another protocol. */
  readonly clientId?: string;
}

/** A command the host sent: topic and decoded payload. */
export interface ReceivedCommand {
  readonly topic: string;
  readonly deviceId: string | undefined;
  readonly payload: SparkplugPayload;
  readonly qos: number;
  readonly retain: boolean;
}

export class TestEdgeNode {
  readonly groupId: string;
  readonly edgeNodeId: string;
  readonly bdSeq: bigint;
  readonly commands: ReceivedCommand[] = [];
  readonly client: MqttClient;
  /** seq of the next sequenced message. */
  seq = 0;
  readonly #waiters = new Set<() => void>();

  private constructor(client: MqttClient, options: TestEdgeNodeOptions) {
    this.client = client;
    this.groupId = options.groupId;
    this.edgeNodeId = options.edgeNodeId;
    this.bdSeq = options.bdSeq ?? 0n;
    client.on('message', (topic, payload, packet) => {
      const levels = topic.split('/');
      this.commands.push({ topic, deviceId: levels[4], payload: decodePayload(payload), qos: packet.qos, retain: packet.retain });
      for (const wake of this.#waiters) wake();
    });
  }

  static async connect(options: TestEdgeNodeOptions): Promise<TestEdgeNode> {
    const bdSeq = options.bdSeq ?? 0n;
    const will = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: bdSeq }] });
    const client = await mqtt.connectAsync(options.url, {
      clientId: options.clientId ?? `edge-${options.edgeNodeId}-${uniqueSuffix()}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      will: { topic: `spBv1.0/${options.groupId}/NDEATH/${options.edgeNodeId}`, payload: Buffer.from(will), qos: options.willQos ?? 1, retain: false },
    });
    const node = new TestEdgeNode(client, options);
    await client.subscribeAsync([`spBv1.0/${options.groupId}/NCMD/${options.edgeNodeId}`, `spBv1.0/${options.groupId}/DCMD/${options.edgeNodeId}/+`], { qos: 1 });
    return node;
  }

  topic(type: string, deviceId?: string): string {
    return `spBv1.0/${this.groupId}/${type}/${this.edgeNodeId}${deviceId === undefined ? '' : `/${deviceId}`}`;
  }

  /** NBIRTH with `metrics` plus bdSeq and Node Control/Rebirth (unless `bare`); seq restarts at `seq` (default 0). */
  async nbirth(metrics: readonly SparkplugMetric[], options: { seq?: number; bare?: boolean; timestamp?: number } = {}): Promise<void> {
    this.seq = options.seq ?? 0;
    const all: SparkplugMetric[] = options.bare
      ? [...metrics]
      : [
          { name: 'bdSeq', datatype: DataType.Int64, value: this.bdSeq },
          { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false },
          ...metrics,
        ];
    await this.send('NBIRTH', undefined, all, { timestamp: options.timestamp });
  }

  async dbirth(deviceId: string, metrics: readonly SparkplugMetric[], options: { seq?: number } = {}): Promise<void> {
    await this.send('DBIRTH', deviceId, metrics, options);
  }

  /** DATA metrics go out without datatype, as Sparkplug recommends: the host types them from the BIRTH. */
  async ndata(metrics: readonly SparkplugMetric[], options: { seq?: number; timestamp?: number } = {}): Promise<void> {
    await this.send('NDATA', undefined, metrics, { ...options, omitDatatypes: true });
  }

  async ddata(deviceId: string, metrics: readonly SparkplugMetric[], options: { seq?: number; timestamp?: number } = {}): Promise<void> {
    await this.send('DDATA', deviceId, metrics, { ...options, omitDatatypes: true });
  }

  async ddeath(deviceId: string, options: { seq?: number; timestamp?: number } = {}): Promise<void> {
    await this.send('DDEATH', deviceId, [], options);
  }

  /** An NDEATH published by the node itself (no seq), with `bdSeq` (default this connection's). */
  async ndeath(bdSeq: bigint = this.bdSeq): Promise<void> {
    const payload = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: bdSeq }] });
    await this.client.publishAsync(this.topic('NDEATH'), Buffer.from(payload), { qos: 1 });
  }

  /** A sequenced message; `seq` forces a value (the counter then continues after it). */
  async send(
    type: string,
    deviceId: string | undefined,
    metrics: readonly SparkplugMetric[],
    options: { seq?: number | undefined; timestamp?: number | undefined; omitDatatypes?: boolean } = {},
  ): Promise<void> {
    const seq = options.seq ?? this.seq;
    this.seq = (seq + 1) % 256;
    const payload: SparkplugPayload = { timestamp: options.timestamp ?? Date.now(), seq: BigInt(seq), metrics };
    await this.publishRaw(this.topic(type, deviceId), encodePayload(payload, { omitMetricDatatypes: options.omitDatatypes === true }));
  }

  async publishRaw(topic: string, bytes: Uint8Array | Buffer, options: { retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(bytes), { qos: 0, retain: options.retain ?? false });
  }

  /** Wait for a command matching `predicate` (default: any). */
  async waitForCommand(predicate: (c: ReceivedCommand) => boolean = () => true, timeoutMs = 5000): Promise<ReceivedCommand> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.commands.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`edge node ${this.edgeNodeId}: no matching command within ${timeoutMs} ms (got ${this.commands.map((c) => c.topic).join(', ') || 'none'})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      }).finally(() => this.#waiters.clear());
    }
  }

  /** Rebirth requests received so far. */
  rebirthRequests(): ReceivedCommand[] {
    return this.commands.filter((c) => c.topic.includes('/NCMD/') && c.payload.metrics.some((m) => m.name === 'Node Control/Rebirth' && m.value === true));
  }

  /** Drop the TCP connection without DISCONNECT: the broker publishes the NDEATH will. */
  kill(): void {
    this.client.stream.destroy();
    this.client.end(true);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => {});
  }
}

/** Unique group and node ids for one test. */
export function sparkplugIds(prefix: string): { groupId: string; edgeNodeId: string } {
  const suffix = uniqueSuffix();
  return { groupId: `G-${prefix}-${suffix}`, edgeNodeId: `${prefix}-${suffix}` };
}
