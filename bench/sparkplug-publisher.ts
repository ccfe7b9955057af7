/**
 * Sparkplug benchmark load generator, run as a child process: one MQTT connection per edge node,
 * each publishing an NBIRTH, a DBIRTH of device "dev" with `metrics` aliased Double metrics, then
 * `count` DDATA messages carrying all of them by alias only (no name, no datatype, metric
 * timestamps), QoS 0, seq 0–255 wrapping, as fast as TCP backpressure allows.
 * Prints one JSON line {sent, ms} when done.
 * argv: <url> <groupId> <edgeNodeIdsJson> <count> <metrics>
 */
import mqtt from 'mqtt';
import { DataType, encodePayload, type SparkplugMetric } from '../dist/protocols/sparkplug/codec/index.js';

const [url, groupId, idsJson, countText, metricsText] = process.argv.slice(2);
const edgeNodeIds = JSON.parse(idsJson as string) as string[];
const count = Number(countText);
const metrics = Number(metricsText);
const WINDOW = 500;

async function run(edgeNodeId: string): Promise<number> {
  const prefix = `spBv1.0/${groupId}`;
  const death = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }] });
  const client = await mqtt.connectAsync(url as string, {
    clientId: `bench-sp-${edgeNodeId}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    keepalive: 120,
    will: { topic: `${prefix}/NDEATH/${edgeNodeId}`, payload: Buffer.from(death), qos: 1, retain: false },
  });
  let seq = 0;
  const next = (): bigint => {
    const s = seq;
    seq = (seq + 1) % 256;
    return BigInt(s);
  };
  const start = Date.parse('2026-01-01T00:00:00Z');
  const nbirth = encodePayload({
    timestamp: Date.now(),
    seq: next(),
    metrics: [
      { name: 'bdSeq', datatype: DataType.Int64, value: 0n },
      { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false },
    ],
  });
  await client.publishAsync(`${prefix}/NBIRTH/${edgeNodeId}`, Buffer.from(nbirth), { qos: 0 });
  const definitions: SparkplugMetric[] = Array.from({ length: metrics }, (_, i) => ({
    name: `Channel/${i}`,
    alias: BigInt(i + 1),
    datatype: DataType.Double,
    value: 0,
    timestamp: start,
  }));
  await client.publishAsync(`${prefix}/DBIRTH/${edgeNodeId}/dev`, Buffer.from(encodePayload({ timestamp: start, seq: next(), metrics: definitions })), { qos: 0 });
  const topic = `${prefix}/DDATA/${edgeNodeId}/dev`;
  let sent = 0;
  while (sent < count) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < WINDOW && sent < count; i++, sent++) {
      const ts = start + 1 + sent * 10;
      const data: SparkplugMetric[] = [];
      for (let m = 0; m < metrics; m++) data.push({ alias: BigInt(m + 1), datatype: DataType.Double, value: Math.sin(sent / 100 + m) * 100, timestamp: ts });
      const bytes = encodePayload({ timestamp: ts, seq: next(), metrics: data }, { omitMetricDatatypes: true });
      batch.push(client.publishAsync(topic, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { qos: 0 }));
    }
    await Promise.all(batch);
  }
  await client.endAsync();
  return sent;
}

const t0 = performance.now();
const totals = await Promise.all(edgeNodeIds.map(run));
process.stdout.write(`${JSON.stringify({ sent: totals.reduce((a, b) => a + b, 0), ms: performance.now() - t0 })}\n`);
