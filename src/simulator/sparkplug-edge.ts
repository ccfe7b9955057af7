/** The Sparkplug B 3.0 edge-node side of a simulated device: bdSeq and seq, STATE, births, data, commands. */
import {
  DataType,
  decodeMaybeCompressed,
  encodePayload,
  formatTopic,
  SPARKPLUG_B_NAMESPACE,
  resolveMetricValue,
  type SparkplugMetric,
  type SparkplugMetricValue,
  type SparkplugPayload,
} from '../protocols/sparkplug/codec/index.ts';
import type { LinkCounters } from './mqtt-link.ts';
import type { SessionWill } from './session-link.ts';
import type { Clock } from './sim-clock.ts';
import { BD_SEQ, DEVICE_CALIBRATE, DEVICE_RESET, measurementMetric, NODE_REBIRTH, NODE_REBOOT, SparkplugMetricCatalog, type CatalogDevice, type MetricDefinition } from './sparkplug-metric-catalog.ts';

/** Counters of the Sparkplug side. */
export interface SparkplugCounters extends LinkCounters {
  /** NCMD/DCMD metric writes and node controls applied. */
  commandsAnswered: number;
  /** NCMD/DCMD metrics refused: unknown, read-only, wrongly typed or rejected by the model. */
  commandsFailed: number;
  /** NBIRTH messages sent (each followed by its DBIRTHs). */
  births: number;
  /** NDATA and DDATA messages sent. */
  dataMessages: number;
  /** Metric values carried in DDATA. */
  readings: number;
}

/** What the edge reads from and asks of its device. */
export interface EdgeNodeSource {
  /** Current value of a node metric (Properties/*, Device/*, Config/*), typed for its datatype. */
  nodeValue(name: string): SparkplugMetricValue;
  /** Apply an NCMD write to a writable node metric; throws when the value is refused. */
  writeNode(name: string, value: SparkplugMetricValue): void;
  /** `Node Control/Reboot`: drop the connection and come back. */
  reboot(): void;
}

export interface SparkplugEdgeOptions {
  readonly groupId: string;
  readonly edgeNodeId: string;
  /** Primary host whose `online` STATE the edge waits for before NBIRTH; null births at once. */
  readonly hostId: string | null;
  readonly clock: Clock;
  readonly catalog: SparkplugMetricCatalog;
  readonly source: EdgeNodeSource;
  readonly counters: SparkplugCounters;
  readonly publish: (topic: string, payload: Uint8Array, qos: 0 | 1) => Promise<boolean>;
  readonly onProblem: (error: Error) => void;
}

/**
 * One edge node. The device calls `nextWill()` before each CONNECT, `sessionStarted()` on CONNACK, routes
 * messages to `handle()` and calls `sendData()` every telemetry interval. Every message goes through one
 * promise chain, so seq order on the wire is the order seq numbers were given.
 */
export class SparkplugEdge {
  readonly #o: SparkplugEdgeOptions;
  readonly #topics: { state: string | null; ncmd: string; dcmd: string };
  #bdSeq = -1;
  #seq = 0;
  #born = false;
  #hostOnline = false;
  #hostTimestamp = Number.NEGATIVE_INFINITY;
  #chain: Promise<unknown> = Promise.resolve();
  /** Metrics written by commands, reported in the next DATA whatever the outcome. */
  readonly #pendingNode = new Set<string>();
  readonly #pendingDevice = new Map<string, Set<string>>();

  constructor(options: SparkplugEdgeOptions) {
    this.#o = options;
    const { groupId, edgeNodeId, hostId } = options;
    this.#topics = {
      state: hostId === null ? null : formatTopic({ kind: 'state', messageType: 'STATE', hostId }),
      ncmd: formatTopic({ kind: 'node', groupId, messageType: 'NCMD', edgeNodeId }),
      // NCMD's formatTopic has checked both ids; the DCMD filter is the same path one level deeper.
      dcmd: `${SPARKPLUG_B_NAMESPACE}/${groupId}/DCMD/${edgeNodeId}/`,
    };
  }

  /** bdSeq of the current (or last) connection; -1 before the first CONNECT. */
  get bdSeq(): number {
    return this.#bdSeq;
  }

  /** NBIRTH and DBIRTHs went out in this session and the host is online: DATA flows. */
  get born(): boolean {
    return this.#born && this.#hostOnline;
  }

  subscriptions(): string[] {
    return [...(this.#topics.state === null ? [] : [this.#topics.state]), this.#topics.ncmd, `${this.#topics.dcmd}+`];
  }

  /** The NDEATH will of the next CONNECT, with a fresh bdSeq ([tck-id-topics-nbirth-bdseq-increment], wraps at 255). */
  nextWill(): SessionWill {
    this.#bdSeq = (this.#bdSeq + 1) % 256;
    return { topic: this.#topic('NDEATH'), payload: this.#deathPayload(), qos: 1 };
  }

  /** CONNACK: births wait for the host's online STATE (retained, so it arrives right after SUBSCRIBE). */
  sessionStarted(): void {
    this.#born = false;
    this.#hostOnline = this.#o.hostId === null;
    this.#hostTimestamp = Number.NEGATIVE_INFINITY;
    if (this.#hostOnline) void this.#birth();
  }

  sessionEnded(): void {
    this.#born = false;
  }

  /** Intentional disconnect: publish NDEATH ourselves, since DISCONNECT suppresses the will (Sparkplug 3.0 §5.5). */
  async announceDeath(): Promise<void> {
    this.#born = false;
    await this.#enqueue(this.#topic('NDEATH'), this.#deathPayload(), 1);
  }

  /** Handle a message on one of `subscriptions()`; false when the topic is not ours. */
  async handle(topic: string, payload: Buffer): Promise<boolean> {
    if (topic === this.#topics.state) this.#onState(payload);
    else if (topic === this.#topics.ncmd) this.#command(payload, null);
    else if (topic.startsWith(this.#topics.dcmd)) this.#command(payload, topic.slice(this.#topics.dcmd.length));
    else return false;
    await this.#chain;
    return true;
  }

  /** NDATA with the node's live metrics, then one DDATA per sensor; nothing while unborn or the host is offline. */
  sendData(): Promise<unknown> {
    if (!this.born) return Promise.resolve();
    const now = this.#o.clock.now();
    const node = this.#o.catalog.node.filter((m) => m.name.startsWith('Device/') || this.#pendingNode.has(m.name));
    this.#pendingNode.clear();
    this.#o.counters.dataMessages++;
    void this.#enqueue(this.#topic('NDATA'), this.#encode(now, node.map((m) => this.#metric(m, now, this.#o.source.nodeValue(m.name), false)), true), 0);
    for (const device of this.#o.catalog.devices) {
      if (!device.sensor.attached) continue;
      const metrics = this.#deviceMetrics(device, now, false);
      this.#o.counters.dataMessages++;
      this.#o.counters.readings += metrics.length;
      void this.#enqueue(this.#deviceTopic('DDATA', device.deviceId), this.#encode(now, metrics, true), 0);
    }
    return this.#chain;
  }

  #onState(payload: Buffer): void {
    // An empty retained message only clears the topic: nothing to learn from it.
    if (payload.length === 0) return;
    let state: { online?: unknown; timestamp?: unknown };
    try {
      state = JSON.parse(payload.toString('utf8')) as { online?: unknown; timestamp?: unknown };
    } catch (error) {
      this.#malformed(new Error(`Malformed STATE from ${this.#o.hostId}: ${(error as Error).message}`));
      return;
    }
    if (typeof state.online !== 'boolean' || typeof state.timestamp !== 'number') {
      this.#malformed(new Error(`Malformed STATE from ${this.#o.hostId}: expected {"online":bool,"timestamp":ms}`));
      return;
    }
    // An offline STATE older than the last online one is a late will of an old host session: ignore it.
    if (state.timestamp < this.#hostTimestamp) return;
    const comesOnline = state.online && (!this.#hostOnline || state.timestamp > this.#hostTimestamp);
    this.#hostOnline = state.online;
    this.#hostTimestamp = state.timestamp;
    if (comesOnline) void this.#birth();
  }

  /** NBIRTH (seq 0, current bdSeq) then a DBIRTH per attached sensor; also the answer to a Rebirth request. */
  #birth(): Promise<unknown> {
    const now = this.#o.clock.now();
    this.#seq = 0;
    this.#born = true;
    this.#pendingNode.clear();
    this.#pendingDevice.clear();
    this.#o.counters.births++;
    const node = this.#o.catalog.node.map((m) => this.#metric(m, now, this.#birthValue(m), true));
    void this.#enqueue(this.#topic('NBIRTH'), this.#encode(now, node, false), 0);
    for (const device of this.#o.catalog.devices) {
      if (device.sensor.attached) void this.#enqueue(this.#deviceTopic('DBIRTH', device.deviceId), this.#encode(now, this.#deviceMetrics(device, now, true), false), 0);
    }
    return this.#chain;
  }

  #birthValue(metric: MetricDefinition): SparkplugMetricValue {
    if (metric.name === BD_SEQ) return BigInt(this.#bdSeq);
    if (metric.name === NODE_REBIRTH || metric.name === NODE_REBOOT) return false;
    return this.#o.source.nodeValue(metric.name);
  }

  /** A sensor's metrics: everything in DBIRTH; readings plus command-written config in DDATA. */
  #deviceMetrics(device: CatalogDevice, now: number, birth: boolean): SparkplugMetric[] {
    const { sensor } = device;
    const readings = new Map(sensor.model.read(now).map((r) => [measurementMetric(r.measurement_type), r]));
    sensor.readingsCount += readings.size;
    const config = sensor.model.config();
    const pending = this.#pendingDevice.get(device.deviceId);
    this.#pendingDevice.delete(device.deviceId);
    const metrics: SparkplugMetric[] = [];
    for (const def of device.metrics) {
      const reading = readings.get(def.name);
      if (reading !== undefined && typeof reading.value === 'number') {
        // Quality is sent only when not GOOD ([tck-id-payloads-propertyset-quality-value-value]): 0 = BAD.
        const bad = reading.quality === 'bad' ? { Quality: { type: DataType.Int32, value: 0 } } : undefined;
        metrics.push(this.#metric(def, now, reading.value, birth, bad));
      } else if (def.name.startsWith('Config/') && (birth || pending?.has(def.name) === true)) {
        const value = config[def.name.slice('Config/'.length)];
        if (value !== undefined) metrics.push(this.#metric(def, now, value, birth));
      } else if (birth && (def.name === DEVICE_RESET || def.name === DEVICE_CALIBRATE)) {
        metrics.push(this.#metric(def, now, false, birth));
      } else if (birth && def.name === 'Properties/Hardware Make') {
        metrics.push(this.#metric(def, now, String(sensor.staticSchema['manufacturer'] ?? ''), birth));
      } else if (birth && def.name === 'Properties/Hardware Model') {
        metrics.push(this.#metric(def, now, String(sensor.staticSchema['model'] ?? ''), birth));
      }
    }
    return metrics;
  }

  /** BIRTH: name, alias, datatype, engUnit ([tck-id-payloads-alias-birth-requirement]); DATA: alias only. */
  #metric(def: MetricDefinition, now: number, value: SparkplugMetricValue, birth: boolean, properties?: SparkplugMetric['properties']): SparkplugMetric {
    const props = birth && def.engUnit !== undefined ? { engUnit: { type: DataType.String, value: def.engUnit }, ...properties } : properties;
    return {
      ...(birth || def.alias === undefined ? { name: def.name } : {}),
      ...(def.alias === undefined ? {} : { alias: def.alias }),
      timestamp: now,
      datatype: def.datatype,
      ...(props === undefined ? {} : { properties: props }),
      value,
    };
  }

  #command(payload: Buffer, deviceId: string | null): void {
    let decoded: SparkplugPayload;
    try {
      decoded = decodeMaybeCompressed(payload);
    } catch (error) {
      this.#malformed(error as Error);
      return;
    }
    const device = deviceId === null ? undefined : this.#o.catalog.device(deviceId);
    const metrics = deviceId === null ? this.#o.catalog.node : (device?.metrics ?? []);
    let rebirth = false;
    let reboot = false;
    for (const metric of decoded.metrics) {
      const def = SparkplugMetricCatalog.find(metrics, metric);
      try {
        if (def === undefined || !def.writable) throw new Error(`${deviceId === null ? 'NCMD' : 'DCMD'} to a ${def === undefined ? 'metric not in BIRTH' : 'read-only metric'}: ${metric.name ?? String(metric.alias)}`);
        if (metric.value === undefined) throw new Error(`${def.name}: no value`);
        const value = resolveMetricValue(metric.value, def.datatype, def.name);
        if (def.name === NODE_REBIRTH) rebirth ||= value === true;
        else if (def.name === NODE_REBOOT) reboot ||= value === true;
        else if (device === undefined) this.#applyNode(def, value);
        else this.#applyDevice(device, def, value);
        this.#o.counters.commandsAnswered++;
      } catch (error) {
        this.#o.counters.commandsFailed++;
        this.#o.onProblem(error as Error);
      }
    }
    if (reboot) this.#o.source.reboot();
    else if (rebirth) void this.#birth();
  }

  #applyNode(def: MetricDefinition, value: SparkplugMetricValue): void {
    this.#pendingNode.add(def.name);
    this.#o.source.writeNode(def.name, value);
  }

  #applyDevice(device: CatalogDevice, def: MetricDefinition, value: SparkplugMetricValue): void {
    if (def.name === DEVICE_RESET || def.name === DEVICE_CALIBRATE) return this.#deviceControl(device, def.name, value);
    const pending = this.#pendingDevice.get(device.deviceId) ?? new Set<string>();
    this.#pendingDevice.set(device.deviceId, pending.add(def.name));
    const plain = typeof value === 'bigint' ? Number(value) : value;
    if (typeof plain !== 'number' && typeof plain !== 'string' && typeof plain !== 'boolean') throw new Error(`${def.name}: unsupported value`);
    device.sensor.model.configure({ [def.name.slice('Config/'.length)]: plain });
  }

  /** `Device Control/Reset` = true: configuration back to defaults, reported in the next DDATA; `…/Calibrate` = true: calibrate. */
  #deviceControl(device: CatalogDevice, name: string, value: SparkplugMetricValue): void {
    if (value !== true) return;
    const { sensor } = device;
    if (name === DEVICE_CALIBRATE) {
      sensor.model.calibrate(this.#o.clock.now(), { method: 'factory' });
      sensor.lastCalibration = new Date(this.#o.clock.now()).toISOString();
      return;
    }
    sensor.model.reset();
    const pending = this.#pendingDevice.get(device.deviceId) ?? new Set<string>();
    for (const def of device.metrics) if (def.name.startsWith('Config/')) pending.add(def.name);
    this.#pendingDevice.set(device.deviceId, pending);
  }

  #malformed(error: Error): void {
    this.#o.counters.errors++;
    this.#o.onProblem(error);
  }

  #deathPayload(): Uint8Array {
    // NDEATH carries bdSeq and no seq ([tck-id-payloads-ndeath-seq], [tck-id-payloads-ndeath-bdseq]).
    return encodePayload({ timestamp: this.#o.clock.now(), metrics: [{ name: BD_SEQ, datatype: DataType.Int64, value: BigInt(this.#bdSeq) }] });
  }

  /** seq 0–255 over every NBIRTH, DBIRTH, NDATA, DDATA of the node ([tck-id-payloads-sequence-num-incrementing]). */
  #encode(now: number, metrics: readonly SparkplugMetric[], data: boolean): Uint8Array {
    const seq = BigInt(this.#seq);
    this.#seq = (this.#seq + 1) % 256;
    // DATA leaves datatypes off the wire ([tck-id-payloads-metric-datatype-not-req]).
    return encodePayload({ timestamp: now, seq, metrics }, { omitMetricDatatypes: data });
  }

  #topic(messageType: 'NBIRTH' | 'NDEATH' | 'NDATA'): string {
    return formatTopic({ kind: 'node', groupId: this.#o.groupId, edgeNodeId: this.#o.edgeNodeId, messageType });
  }

  #deviceTopic(messageType: 'DBIRTH' | 'DDATA', deviceId: string): string {
    return formatTopic({ kind: 'device', groupId: this.#o.groupId, edgeNodeId: this.#o.edgeNodeId, deviceId, messageType });
  }

  #enqueue(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<unknown> {
    this.#chain = this.#chain.then(() => this.#o.publish(topic, payload, qos));
    return this.#chain;
  }
}
