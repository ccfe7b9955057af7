/**
 * Benchmark load generator, run as a child process: one MQTT connection per client id, each
 * publishing `count` native telemetry.report notifications (QoS 0, or QoS 1 with at most 500
 * unacknowledged per connection) with `points` readings, as fast as TCP backpressure (and PUBACKs)
 * allow. Prints one JSON line {sent, ms} when done.
 * argv: <url> <clientIdsJson> <count> <points> <sensorIdsJson> [qos] [<passwordsJson>]
 * With passwords (client id → secret), each connection logs in as its device (docs/security.md).
 */
import mqtt from 'mqtt';

const [url, idsJson, countText, pointsText, sensorsJson, qosText = '0', passwordsJson] = process.argv.slice(2);
const qos = qosText === '1' ? 1 : 0;
const passwords = passwordsJson === undefined ? {} : (JSON.parse(passwordsJson) as Record<string, string>);
const clientIds = JSON.parse(idsJson as string) as string[];
const sensors = JSON.parse(sensorsJson as string) as Record<string, string[]>;
const count = Number(countText);
const points = Number(pointsText);
const MEASUREMENTS = ['temperature', 'pressure', 'angle', 'soil_moisture', 'cpu_temperature'];
const WINDOW = 500;

async function run(clientId: string): Promise<number> {
  const password = passwords[clientId];
  const login = password === undefined ? {} : { username: clientId, password };
  const client = await mqtt.connectAsync(url as string, { clientId, protocolVersion: 4, reconnectPeriod: 0, keepalive: 120, ...login });
  let done = false;
  client.on('close', () => {
    if (!done) process.stderr.write(`publisher ${clientId}: connection closed by the broker after ${sent} messages\n`);
  });
  client.on('error', (error) => process.stderr.write(`publisher ${clientId}: ${error.message}\n`));
  const topic = `llmiot/v1/${clientId}/up`;
  const ids = sensors[clientId] ?? [];
  const start = Date.parse('2026-01-01T00:00:00Z');
  let sent = 0;
  while (sent < count) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < WINDOW && sent < count; i++, sent++) {
      const readings = [];
      for (let p = 0; p < points; p++) {
        readings.push({ sensor_id: ids[p % ids.length], measurement_type: MEASUREMENTS[p % MEASUREMENTS.length], value: Math.round(Math.sin(sent / 100 + p) * 1000) / 10 });
      }
      const message = { jsonrpc: '2.0', method: 'telemetry.report', params: { timestamp: start + sent * 10, readings } };
      batch.push(client.publishAsync(topic, JSON.stringify(message), { qos }));
    }
    await Promise.all(batch);
  }
  done = true;
  await client.endAsync();
  return sent;
}

const t0 = performance.now();
const totals = await Promise.all(clientIds.map(run));
process.stdout.write(`${JSON.stringify({ sent: totals.reduce((a, b) => a + b, 0), ms: performance.now() - t0 })}\n`);
