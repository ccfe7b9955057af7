/** Sparkplug entry: mutated protobuf payloads (structure-aware, then byte-level) on `spBv1.0/…` topics from fuzz edge nodes, and mutated STATE JSON. */
import type { MemoryMqttClient } from '../../../src/mqtt/memory-client.ts';
import { compressPayload, DataType, encodePayload, type SparkplugMetric, type SparkplugPayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import type { FuzzEntry } from '../entry.ts';
import { hostileValue, mutateBytes, mutateJsonMessage, randomString, Raw, toJson, type Json } from '../json-mutator.ts';
import type { Prng } from '../prng.ts';

const GROUP = 'FzG';
const NODES = ['fz-e0', 'fz-e1', 'fz-e2'];
const DEVICES = ['d0', 'd1'];
const TYPES = ['NBIRTH', 'NBIRTH', 'DBIRTH', 'DBIRTH', 'NDATA', 'NDATA', 'NDATA', 'DDATA', 'DDATA', 'DDATA', 'NDEATH', 'DDEATH', 'NCMD', 'DCMD', 'STATE'] as const;

const NODE_METRICS: SparkplugMetric[] = [
  { name: 'bdSeq', datatype: DataType.UInt64, value: 0n },
  { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false },
  { name: 'Node Control/Reboot', datatype: DataType.Boolean, value: false },
  { name: 'Properties/Hardware Make', alias: 1n, datatype: DataType.String, value: 'Espressif' },
  { name: 'Device/CPU Temperature', alias: 2n, datatype: DataType.Float, value: 41.5, properties: { engUnit: { type: DataType.String, value: 'Cel' } } },
  { name: 'Device/Uptime', alias: 3n, datatype: DataType.UInt32, value: 12 },
  { name: 'Config/Interval', alias: 4n, datatype: DataType.Int32, value: 1000 },
];
const DEVICE_METRICS: SparkplugMetric[] = [
  { name: 'Temperature', alias: 10n, datatype: DataType.Double, value: 21.5, properties: { engUnit: { type: DataType.String, value: 'Cel' } } },
  { name: 'Pressure', alias: 11n, datatype: DataType.Float, value: 1013.2 },
  { name: 'Status', alias: 12n, datatype: DataType.String, value: 'ok' },
  { name: 'Samples', alias: 13n, datatype: DataType.Int32Array, value: [1, 2, 3] },
  { name: 'Raw', alias: 14n, datatype: DataType.Bytes, value: new Uint8Array([1, 2, 3]) },
  { name: 'Enabled', alias: 15n, datatype: DataType.Boolean, value: true },
  { name: 'Count', alias: 16n, datatype: DataType.UInt64, value: 5n },
];

function seedPayload(rng: Prng, type: string): SparkplugPayload {
  const now = Date.now();
  const seq = BigInt(rng.int(256));
  switch (type) {
    case 'NBIRTH':
      return { timestamp: now, seq: 0n, metrics: NODE_METRICS.map((m) => (m.name === 'bdSeq' ? { ...m, value: BigInt(rng.int(3)) } : m)) };
    case 'DBIRTH':
      return { timestamp: now, seq, metrics: DEVICE_METRICS };
    case 'NDATA':
      return { timestamp: now, seq, metrics: NODE_METRICS.filter((m) => m.alias !== undefined).map(({ alias, datatype, value }) => ({ alias, datatype, value, timestamp: now }) as SparkplugMetric) };
    case 'DDATA':
      return { timestamp: now, seq, metrics: DEVICE_METRICS.map(({ alias, datatype, value }) => ({ alias, datatype, value, timestamp: now }) as SparkplugMetric) };
    case 'NDEATH':
      return { metrics: [{ name: 'bdSeq', datatype: DataType.UInt64, value: BigInt(rng.int(3)) }] };
    case 'DDEATH':
      return { timestamp: now, seq, metrics: [] };
    default:
      return { timestamp: now, metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }] };
  }
}

const DATATYPES = Object.values(DataType);

function hostileMetricValue(rng: Prng): unknown {
  const json = hostileValue(rng);
  return rng.pick<unknown>([
    json instanceof Raw ? json.text : json,
    BigInt(rng.int(2 ** 31)) * (rng.chance(0.5) ? 2n ** 40n : 1n),
    2n ** 64n - 1n,
    -1n,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    new Uint8Array(rng.small(0, 64)),
    [1.5, Number.NaN, 1e308],
    [true, false],
    ['a', '\uD800'],
    { columns: ['a'], types: [DataType.Int32], rows: [[1], ['x']] },
    { metrics: [], parameters: [] },
  ]);
}

/** Structure-aware edits of a payload: metric names, aliases, datatypes and values, seq, timestamps, metric counts. */
function mutatePayload(rng: Prng, payload: SparkplugPayload): SparkplugPayload {
  const metrics = payload.metrics.map((m) => ({ ...m })) as Record<string, unknown>[];
  const out: Record<string, unknown> = { ...payload };
  for (let e = rng.small(1, 4); e > 0; e--) {
    const metric = metrics.length > 0 ? rng.pick(metrics) : undefined;
    switch (rng.int(11)) {
      case 0:
        out['seq'] = rng.pick([0n, 1n, 127n, 128n, 255n, 256n, 1000n, 2n ** 64n - 1n, BigInt(rng.int(256))]);
        break;
      case 1:
        out['timestamp'] = rng.pick([0, -1, 1.5, 1e20, 8.64e15 + 1, Date.now() / 1000, Number.MAX_SAFE_INTEGER]);
        break;
      case 2:
        if (metric) metric['name'] = rng.chance(0.5) ? randomString(rng) : rng.pick(['bdSeq', 'Node Control/Rebirth', 'Temperature', '', 'a/b/c', '\uD800', 'x'.repeat(5000)]);
        break;
      case 3:
        if (metric) metric['alias'] = rng.pick([0n, 1n, 10n, 2n ** 64n - 1n, BigInt(rng.int(20))]);
        break;
      case 4:
        if (metric) metric['datatype'] = rng.chance(0.8) ? rng.pick(DATATYPES) : rng.int(256);
        break;
      case 5:
      case 6:
        if (metric) metric['value'] = hostileMetricValue(rng);
        break;
      case 7:
        if (metric) {
          const copies = rng.pick([2, 10, 100, 2000]);
          for (let i = 0; i < copies; i++) metrics.push({ ...metric });
        }
        break;
      case 8:
        if (metrics.length > 0) metrics.splice(rng.int(metrics.length), 1);
        break;
      case 9:
        if (metric) metric[rng.pick(['isNull', 'isHistorical', 'isTransient'])] = true;
        break;
      default:
        if (metric) metric['properties'] = rng.pick<unknown>([{ engUnit: { type: DataType.String, value: rng.pick(['Cel', '', '\uD800', 'x'.repeat(1000)]) } }, { engUnit: { type: DataType.Int32, value: 5 } }, { engUnit: { isNull: true } }, {}]);
    }
  }
  out['metrics'] = metrics;
  return out as unknown as SparkplugPayload;
}

/** Encode, falling back to the unmutated seed when the codec refuses the edit (an input the fuzzer itself could not make). */
function encode(rng: Prng, payload: SparkplugPayload, seed: SparkplugPayload): Buffer {
  try {
    return Buffer.from(rng.chance(0.03) ? compressPayload(payload, rng.chance(0.5) ? 'GZIP' : 'DEFLATE') : encodePayload(payload, { omitMetricDatatypes: rng.chance(0.05) } as never));
  } catch {
    return Buffer.from(encodePayload(seed));
  }
}

function sparkplugInput(rng: Prng, type: string): Buffer {
  if (type === 'STATE') {
    const seeds: Json[] = [toJson({ online: true, timestamp: Date.now() }), toJson({ online: false, timestamp: 0 })];
    return mutateJsonMessage(rng, seeds, { fragments: seeds, keys: ['online', 'timestamp'] });
  }
  const r = rng.float();
  if (r < 0.03) return rng.bytes(rng.small(0, 256));
  const seed = seedPayload(rng, type);
  const bytes = encode(rng, rng.chance(0.85) ? mutatePayload(rng, seed) : seed, seed);
  return rng.chance(0.3) ? mutateBytes(rng, bytes) : bytes;
}

function topic(rng: Prng, type: string, node: string): string {
  if (type === 'STATE') return rng.chance(0.7) ? 'spBv1.0/STATE/llmiot-fuzz-host' : `spBv1.0/STATE/${rng.pick(['other-host', 'x'])}`;
  const device = type.startsWith('D') ? `/${rng.pick(DEVICES)}` : '';
  if (rng.chance(0.93)) return `spBv1.0/${GROUP}/${type}/${node}${device}`;
  const level = randomString(rng).replace(/[+#\u0000]/g, '') || 'x';
  return rng.pick([
    `spBv1.0/${level}/${type}/${node}${device}`,
    `spBv1.0/${GROUP}/${level}/${node}`,
    `spBv1.0/${GROUP}/${type}/${level}${device}`,
    `spBv1.0/${GROUP}/${type}/${node}/${level}/extra`,
    `spBv1.0/${GROUP}/${type}`,
    `spBv1.0//${type}/${node}`,
    `spBv1.0/STATE`,
  ]);
}

export const sparkplugEntry: FuzzEntry = {
  name: 'sparkplug',
  concurrency: 32,
  async open(fh, recorder) {
    const clients: MemoryMqttClient[] = [];
    for (const node of NODES) {
      const client = await fh.bus.connect(`fz-sp-${node}`);
      await client.subscribeAsync(`spBv1.0/${GROUP}/NCMD/${node}`, { qos: 0 });
      client.on('message', () => recorder.count('ncmd'));
      clients.push(client);
    }
    return {
      async send(rng, index) {
        const n = rng.int(NODES.length);
        const type = rng.pick(TYPES);
        const bytes = sparkplugInput(rng, type);
        try {
          await (clients[n] as MemoryMqttClient).publishAsync(topic(rng, type, NODES[n] as string), bytes, { qos: rng.chance(0.5) ? 1 : 0, retain: rng.chance(0.01) });
        } catch (error) {
          recorder.count(`client-refused:${error instanceof Error ? error.message.split(':')[0] : 'error'}`);
        }
        void index;
      },
      async close() {
        await Promise.all(clients.map((c) => c.endAsync()));
      },
    };
  },
};
