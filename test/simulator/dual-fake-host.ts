/**
 * A scripted hub for dual-protocol simulator tests: an in-process aedes broker plus one client that plays the
 * Sparkplug host (STATE, NCMD, DCMD) and the LwM2M server (requests on `dn`, answers on `up/resp`).
 */
import { duplexPair, type Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { MqttClient } from 'mqtt';
import { decodePayload, encodePayload, parseTopic, type SparkplugMetric, type SparkplugPayload, type SparkplugTopic } from '../../src/protocols/sparkplug/codec/index.ts';

/** A message a device published. */
export interface Seen {
  readonly topic: string;
  readonly payload: Buffer;
  /** Sparkplug topics (but STATE) decoded with our codec. */
  readonly sparkplug?: { readonly topic: SparkplugTopic; readonly payload: SparkplugPayload };
  /** LwM2M topics parsed as JSON. */
  readonly json?: Record<string, any>;
}

/** A CONNECT the broker saw. */
export interface SeenConnect {
  readonly clientId: string;
  readonly will: { readonly topic: string; readonly payload: Buffer; readonly qos: number | undefined; readonly retain: boolean | undefined } | undefined;
}

export class DualFakeHost {
  readonly broker: Aedes;
  readonly hostId: string;
  readonly seen: Seen[] = [];
  readonly connects: SeenConnect[];
  readonly #client: MqttClient;
  readonly #ownsBroker: boolean;
  /** The broker's latest client object per client id. */
  readonly #clients = new Map<string, Client>();
  #nextReq = 1;

  private constructor(broker: Aedes, client: MqttClient, connects: SeenConnect[], hostId: string, ownsBroker: boolean) {
    this.broker = broker;
    this.#ownsBroker = ownsBroker;
    this.#client = client;
    this.connects = connects;
    this.hostId = hostId;
    client.on('message', (topic, payload) => this.#record(topic, payload));
    broker.on('client', (c) => this.#clients.set(c.id, c));
  }

  /** A fresh broker with the host on it; or, given `broker`, the host alone on that broker (which it leaves open). */
  static async start(hostId = 'llm-iot', shared?: Aedes): Promise<DualFakeHost> {
    const connects: SeenConnect[] = [];
    const broker = shared ?? await Aedes.createBroker({
      preConnect: (_client, packet, callback) => {
        const will = packet.will ? { topic: packet.will.topic, payload: Buffer.from(packet.will.payload), qos: packet.will.qos, retain: packet.will.retain } : undefined;
        connects.push({ clientId: packet.clientId, will });
        callback(null, true);
      },
    });
    const client = new MqttClient(() => inProcess(broker), { clientId: `host-${hostId}`, reconnectPeriod: 0, protocolVersion: 4 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(['spBv1.0/#', 'lwm2m/#'], { qos: 1 });
    return new DualFakeHost(broker, client, connects, hostId, shared === undefined);
  }

  /** A stream factory for `{streamBuilder}`: connects to the broker in-process. */
  readonly streamBuilder = (): Duplex => inProcess(this.broker);

  /** The host's STATE, retained QoS 1 JSON (Sparkplug 3.0 §6.1.2); `timestamp` defaults to now. */
  async state(online: boolean, timestamp = Date.now()): Promise<void> {
    await this.#client.publishAsync(`spBv1.0/STATE/${this.hostId}`, JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
  }

  /** Sparkplug messages of one edge node (and its devices) of a type, in arrival order. */
  sparkplug(edge: string, type?: string, deviceId?: string): { topic: SparkplugTopic; payload: SparkplugPayload }[] {
    return this.seen.flatMap((m) => {
      const sp = m.sparkplug;
      if (sp === undefined || sp.topic.kind === 'state' || sp.topic.edgeNodeId !== edge) return [];
      if (type !== undefined && sp.topic.messageType !== type) return [];
      if (deviceId !== undefined && (sp.topic.kind !== 'device' || sp.topic.deviceId !== deviceId)) return [];
      return [sp];
    });
  }

  /** LwM2M JSON messages a device published on `lwm2m/{ep}/{suffix}`. */
  lwm2m(endpoint: string, suffix: string): Record<string, any>[] {
    return this.seen.filter((m) => m.topic === `lwm2m/${endpoint}/${suffix}` && m.json !== undefined).map((m) => m.json as Record<string, any>);
  }

  async ncmd(edge: string, metrics: SparkplugMetric[], group = 'IIoT'): Promise<void> {
    // NCMD/DCMD: timestamp, no seq ([tck-id-topics-ncmd-timestamp], [tck-id-payloads-ncmd-seq]).
    await this.#client.publishAsync(`spBv1.0/${group}/NCMD/${edge}`, Buffer.from(encodePayload({ timestamp: Date.now(), metrics })), { qos: 0 });
  }

  async dcmd(edge: string, deviceId: string, metrics: SparkplugMetric[], group = 'IIoT'): Promise<void> {
    await this.#client.publishAsync(`spBv1.0/${group}/DCMD/${edge}/${deviceId}`, Buffer.from(encodePayload({ timestamp: Date.now(), metrics })), { qos: 0 });
  }

  /** Send a LwM2M request on `dn` and resolve with the device's answer on `up/resp`. */
  async request(endpoint: string, msgType: string, data: Record<string, unknown>, timeoutMs = 3000): Promise<Record<string, any>> {
    const reqID = this.#nextReq++;
    await this.#client.publishAsync(`lwm2m/${endpoint}/dn`, JSON.stringify({ reqID, msgType, data }), { qos: 1 });
    return this.until(() => this.lwm2m(endpoint, 'up/resp').find((r) => r['reqID'] === reqID), timeoutMs);
  }

  /** Publish raw text on a device's `dn` topic. */
  async sendDown(endpoint: string, text: string): Promise<void> {
    await this.#client.publishAsync(`lwm2m/${endpoint}/dn`, text, { qos: 1 });
  }

  /** Cut a device's connection without DISCONNECT: the broker publishes its will. */
  kill(clientId: string): void {
    const client = this.#clients.get(clientId);
    if (client === undefined || !client.connected) throw new Error(`No connected client ${clientId}`);
    client.conn.destroy();
  }

  /** Poll `predicate` until it returns a value (not undefined/false). */
  async until<T>(predicate: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error('DualFakeHost.until: timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
    if (this.#ownsBroker) await new Promise<void>((resolve) => this.broker.close(() => resolve()));
  }

  #record(topic: string, payload: Buffer): void {
    if (topic.startsWith('spBv1.0/') && !topic.startsWith('spBv1.0/STATE/')) {
      const parsed = parseTopic(topic);
      if (parsed.messageType === 'NCMD' || parsed.messageType === 'DCMD') return;
      this.seen.push({ topic, payload, sparkplug: { topic: parsed, payload: decodePayload(payload) } });
    } else if (topic.startsWith('lwm2m/') && !topic.endsWith('/dn')) {
      this.seen.push({ topic, payload, json: JSON.parse(payload.toString('utf8')) as Record<string, any> });
    }
  }
}

/** An in-process connection to the broker; duplexPair() does not carry a destroy across, so link the two sides' close. */
function inProcess(broker: Aedes): Duplex {
  const [client, server] = duplexPair();
  client.once('close', () => server.destroy());
  server.once('close', () => client.destroy());
  broker.handle(server);
  return client;
}
