// A minimal native LLM-IoT device: an ESP32-S3 with a BMP580 on I2C 0x47, in plain JavaScript.
//
// Run the hub, then the device (from the repository root, so `mqtt` resolves):
//   npx llm-iot start --enrollment-key demo-fleet-key     # embedded broker on mqtt://localhost:1883
//   MQTT_PASSWORD=demo-fleet-key node examples/native-device.mjs
//   # MQTT_URL=mqtt://host:1883 DEVICE_ID=esp32-demo-1 to change; MQTT_PASSWORD is the fleet enrollment key
//   # or the device's own secret from `npx llm-iot device credentials create esp32-demo-1` (docs/security.md)
// Then ask the hub, e.g.:
//   curl -s localhost:8080/rpc -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"device.list","params":{}}'
//   curl -s localhost:8080/rpc -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":2,"method":"sensor.read","params":{"sensor_id":"esp32-demo-1/i2c:0x47"}}'
//   curl -s localhost:8080/rpc -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":3,"method":"mcu.reboot","params":{"mcu_id":"esp32-demo-1","delay_ms":2000}}'
//
// Protocol (docs/protocol.md): JSON-RPC 2.0 on llmiot/v1/{client id}/up (device → hub) and /down (hub → device).
import mqtt from 'mqtt';

const url = process.env.MQTT_URL ?? 'mqtt://localhost:1883';
const id = process.env.DEVICE_ID ?? 'esp32-demo-1';
const password = process.env.MQTT_PASSWORD;
const up = `llmiot/v1/${id}/up`;
const down = `llmiot/v1/${id}/down`;
const pending = new Map(); // request id -> resolve
let nextId = 1;
let mcuId;
let sensorId;
let timer;

const client = mqtt.connect(url, {
  clientId: id, // the hardware id: the hub derives the device UUID from it
  // Under --device-auth credentials the user name is the hardware id too (docs/security.md).
  ...(password === undefined ? {} : { username: id, password }),
  will: { topic: up, payload: '{"jsonrpc":"2.0","method":"device.offline"}', qos: 1, retain: false },
});

const send = (message) => client.publishAsync(up, JSON.stringify({ jsonrpc: '2.0', ...message }), { qos: 1 });
const request = (method, params) =>
  new Promise((resolve, reject) => {
    const rid = nextId++;
    pending.set(rid, (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result)));
    send({ id: rid, method, params }).catch(reject);
  });

// A greenhouse: 14 °C at 05:00, 28 °C at 15:00; pressure around 1013 hPa.
function sample() {
  const hour = (Date.now() / 3_600_000) % 24;
  const rising = hour >= 5 && hour <= 15;
  const phase = rising ? (hour - 5) / 10 : ((hour + 24 - 15) % 24) / 14;
  const t = rising ? 14 + 7 * (1 - Math.cos(Math.PI * phase)) : 28 - 7 * (1 - Math.cos(Math.PI * phase));
  const p = 1013.25 + 3 * Math.sin(Date.now() / 7_200_000) + (Math.random() - 0.5) * 0.02;
  return [
    { measurement_type: 'temperature', value: Math.round((t + (Math.random() - 0.5) * 0.1) * 100) / 100, unit: 'celsius', quality: 'good' },
    { measurement_type: 'pressure', value: Math.round(p * 10_000) / 10_000, unit: 'hPa', quality: 'good' },
  ];
}

async function register() {
  ({ device_id: mcuId } = await request('device.register', {
    device_type: 'mcu',
    static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3', memory: { flash_total: 8388608, ram_total: 524288 }, communication_protocols: { supported: ['I2C', 'SPI', 'WiFi', 'BLE'] } },
    zone: 'Zone A',
    tags: ['greenhouse', 'example'],
  }));
  ({ sensor_id: sensorId } = await request('sensor.discover', {
    mcu_id: mcuId,
    static_schema: {
      manufacturer: 'Bosch',
      model: 'BMP580',
      sensor_category: 'environmental',
      communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } },
      measurements: [
        { measurement_type: 'temperature', unit: 'celsius', range_min: -40, range_max: 85, accuracy: 0.5 },
        { measurement_type: 'pressure', unit: 'hPa', range_min: 300, range_max: 1250, accuracy: 0.5 },
      ],
    },
  }));
  console.log(`registered ${id} as ${mcuId}; BMP580 is ${sensorId}`);
  clearInterval(timer);
  timer = setInterval(() => {
    send({ method: 'telemetry.report', params: { readings: sample().map((r) => ({ ...r, sensor_id: sensorId })) } }).catch(console.error);
  }, 5000);
}

// Hub -> device: responses to our requests, and commands (answered on `up` with the same id).
client.on('message', (_topic, payload) => {
  let msg;
  try {
    msg = JSON.parse(payload.toString());
  } catch {
    return void send({ id: null, error: { code: -32700, message: 'Parse error' } });
  }
  if (!msg.method) return pending.get(msg.id)?.(msg), pending.delete(msg.id);
  if (msg.method === 'sensor.read' && msg.params?.sensor_id === sensorId) {
    return void send({ id: msg.id, result: { sensor_id: sensorId, timestamp: new Date().toISOString(), readings: sample() } });
  }
  if (msg.method === 'sensor.read') return void send({ id: msg.id, error: { code: -32001, message: `Sensor not attached: ${msg.params?.sensor_id}` } });
  if (msg.method === 'mcu.reboot') {
    const delay = msg.params?.delay_ms ?? 1000;
    // Answer first, then drop off without DISCONNECT (the broker publishes the will) and come back.
    return void send({ id: msg.id, result: { rebooting: true } }).then(() => {
      clearInterval(timer);
      client.end(true, () => setTimeout(() => client.reconnect(), delay));
    });
  }
  send({ id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
});

client.on('connect', () => {
  client.subscribeAsync(down, { qos: 1 }).then(register).catch((error) => console.error('registration failed:', error.message));
});
client.on('error', (error) => console.error('mqtt:', error.message));
process.on('SIGINT', () => send({ method: 'device.offline', params: {} }).finally(() => client.end(false, () => process.exit(0))));
