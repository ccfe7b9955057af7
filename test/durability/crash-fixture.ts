/**
 * Crash-test fixture: the hub as a child process (the CLI, as an operator runs it) on fixed ports so
 * devices can reconnect to it after a kill -9, and a small fleet of MQTT.js devices publishing
 * telemetry at QoS 1 that remembers which readings the broker acknowledged (PUBACK).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { runCli, type CliProcess } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { uniqueSuffix } from '../support/services.ts';

/** How long a restarted hub (and its devices' reconnection and resends) may take; a passing run is far quicker. */
export const DRAIN_TIMEOUT_MS = 60_000;

export interface HubOptions {
  /** `--store`: sqlite (default) or a postgres:// URL. */
  readonly store?: string;
  /** `--mqtt-url` of an external broker; unset: the embedded broker on a fixed port. */
  readonly mqttUrl?: string;
  /** More CLI arguments. */
  readonly args?: readonly string[];
}

/** The hub under test: started, killed and started again on the same ports and data dir. */
export class CrashHub {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'llmiot-crash-'));
  readonly hostId = `crash-${uniqueSuffix()}`;
  #process: CliProcess | undefined;
  #httpPort = 0;
  #mqttPort = 0;
  readonly #options: HubOptions;

  constructor(options: HubOptions = {}) {
    this.#options = options;
  }

  /** Where devices connect: the external broker, or the hub's embedded one. */
  get mqttUrl(): string {
    return this.#options.mqttUrl ?? `mqtt://127.0.0.1:${this.#mqttPort}`;
  }

  /** Choose the ports (once): devices may then try to connect before the hub has started. */
  async choosePorts(): Promise<void> {
    if (this.#httpPort !== 0) return;
    this.#httpPort = await freePort();
    this.#mqttPort = await freePort();
  }

  async start(): Promise<void> {
    await this.choosePorts();
    const args = ['start', '--http-host', '127.0.0.1', '--http-port', String(this.#httpPort), '--data-dir', this.dataDir, '--sparkplug-host-id', this.hostId];
    if (this.#options.mqttUrl === undefined) args.push('--mqtt-host', '127.0.0.1', '--mqtt-port', String(this.#mqttPort));
    else args.push('--mqtt-url', this.#options.mqttUrl);
    if (this.#options.store !== undefined) args.push('--store', this.#options.store);
    args.push(...(this.#options.args ?? []));
    this.#process = runCli(args);
    await this.#process.waitFor(/llm-iot hub listening/);
  }

  /** A crash: SIGKILL, nothing flushed. */
  async kill(): Promise<void> {
    const hub = this.#process;
    this.#process = undefined;
    if (hub === undefined) return;
    hub.child.kill('SIGKILL');
    await hub.exit();
  }

  /** A clean stop (SIGTERM: telemetry flushed); resolves with the exit code. */
  async stop(): Promise<number | null> {
    const hub = this.#process;
    this.#process = undefined;
    if (hub === undefined) return null;
    hub.child.kill('SIGTERM');
    return hub.exit();
  }

  /** The hub's log so far (for failure messages). */
  output(): string {
    return this.#process?.output() ?? '';
  }

  async rpc(method: string, params: unknown): Promise<{ result?: any; error?: { code: number; message: string } }> {
    const response = await fetch(`http://127.0.0.1:${this.#httpPort}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return (await response.json()) as { result?: any; error?: { code: number; message: string } };
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** One device: a persistent MQTT session (clean: false), so unacknowledged PUBLISHes are resent after a reconnect. */
export class LoadDevice {
  readonly clientId: string;
  /** Readings (by sequence number) whose PUBACK arrived. */
  readonly acked = new Set<number>();
  /** Readings published whose PUBACK has not arrived yet. */
  readonly unacked = new Set<number>();
  deviceId = '';
  #client: MqttClient | undefined;
  #next = 0;
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(clientId: string) {
    this.clientId = clientId;
  }

  get sent(): number {
    return this.#next;
  }

  /** Connect and register (the hub must be up and subscribed). */
  async connect(url: string): Promise<void> {
    const client = await connectAsync(url, { clientId: this.clientId, clean: false, reconnectPeriod: 100, connectTimeout: 5000, protocolVersion: 4 });
    this.#client = client;
    client.on('error', () => {}); // connection refused while the hub is down: MQTT.js retries on its own
    const down = `llmiot/v1/${this.clientId}/down`;
    await client.subscribeAsync(down, { qos: 1 });
    const answered = new Promise<string>((resolve) => {
      client.on('message', (topic, payload) => {
        if (topic !== down) return;
        const message = JSON.parse(payload.toString()) as { id?: unknown; result?: { device_id?: string } };
        if (message.id === 'register' && message.result?.device_id !== undefined) resolve(message.result.device_id);
      });
    });
    const schema = { manufacturer: 'Espressif', model: 'ESP32-S3', memory: { flash_total: 8388608, ram_total: 524288 } };
    const register = { jsonrpc: '2.0', id: 'register', method: 'device.register', params: { device_type: 'mcu', static_schema: schema } };
    // Until the hub's subscription is in place (an external broker), the request may go nowhere: ask again.
    const timer = setInterval(() => client.publish(`llmiot/v1/${this.clientId}/up`, JSON.stringify(register), { qos: 1 }), 500);
    client.publish(`llmiot/v1/${this.clientId}/up`, JSON.stringify(register), { qos: 1 });
    try {
      this.deviceId = await answered;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Publish readings 0, 1, 2, … `count - 1` at QoS 1, about `ratePerSecond` of them a second and at
   * most `window` unacknowledged at a time (or until {@link stopLoad}).
   */
  startLoad(baseTs: number, count: number, ratePerSecond = 1000, window = 50): void {
    this.#running = true;
    const client = this.#client as MqttClient;
    const topic = `llmiot/v1/${this.clientId}/up`;
    this.#loop = (async () => {
      const startedAt = Date.now();
      while (this.#running && this.#next < count) {
        if (this.unacked.size >= window) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
          continue;
        }
        const seq = this.#next++;
        const message = { jsonrpc: '2.0', method: 'telemetry.report', params: { readings: [{ measurement_type: 'counter', value: seq, timestamp: baseTs + seq }] } };
        this.unacked.add(seq);
        client.publish(topic, JSON.stringify(message), { qos: 1 }, (error) => {
          if (error === undefined || error === null) {
            this.unacked.delete(seq);
            this.acked.add(seq);
          }
          this.#wake?.();
        });
        // Pace the load: a crash must land in the middle of it, whatever the machine's speed.
        const due = startedAt + (this.#next * 1000) / ratePerSecond;
        if (seq % 10 === 9) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      }
    })();
  }

  /** Resolves when the load has published all its readings. */
  async finished(): Promise<void> {
    await this.#loop;
  }

  /** Stop publishing new readings; the ones in flight are still resent until acknowledged. */
  async stopLoad(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  async close(): Promise<void> {
    await this.stopLoad();
    await this.#client?.endAsync(true);
  }
}

/** A fleet of {@link LoadDevice}s. */
export class Fleet {
  readonly devices: LoadDevice[];
  readonly baseTs = Date.now() - 60_000;

  constructor(size: number) {
    const suffix = uniqueSuffix();
    this.devices = Array.from({ length: size }, (_, i) => new LoadDevice(`crash-${suffix}-${i}`));
  }

  async connect(url: string): Promise<void> {
    await Promise.all(this.devices.map((d) => d.connect(url)));
  }

  /** Each device publishes `perDevice` readings, about 1,000 a second. */
  start(perDevice: number): void {
    for (const device of this.devices) device.startLoad(this.baseTs, perDevice);
  }

  get sent(): number {
    return this.devices.reduce((n, d) => n + d.sent, 0);
  }

  get acked(): number {
    return this.devices.reduce((n, d) => n + d.acked.size, 0);
  }

  /** Wait until `count` more readings than now have been acknowledged (the load is really flowing). */
  async ackedMore(count: number, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    const target = this.acked + count;
    await eventually(() => this.acked >= target, timeoutMs, `${target} acknowledged readings`);
  }

  /** Wait until the load is done and every reading published was acknowledged (devices resend after reconnecting). */
  async drain(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.finished()));
    await eventually(() => this.devices.every((d) => d.unacked.size === 0), DRAIN_TIMEOUT_MS, 'every published reading acknowledged');
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.close()));
  }
}

/** What the store holds of each device's readings, compared with what was acknowledged. */
export interface Loss {
  readonly acked: number;
  readonly lost: number;
  /** The first few lost readings, `clientId#seq`. */
  readonly sample: readonly string[];
}

/** Acknowledged readings missing from the store, polled briefly (the last batch may still be committing). */
export async function acknowledgedButLost(hub: CrashHub, fleet: Fleet, settleMs = 2000): Promise<Loss> {
  const settled = await eventually(async () => {
    const loss = await measureLoss(hub, fleet);
    return loss.lost === 0 ? loss : undefined;
  }, settleMs).catch(() => undefined);
  return settled ?? measureLoss(hub, fleet);
}

async function measureLoss(hub: CrashHub, fleet: Fleet): Promise<Loss> {
  let acked = 0;
  let lost = 0;
  const sample: string[] = [];
  for (const device of fleet.devices) {
    const answer = await hub.rpc('data.query', {
      device_ids: [device.deviceId],
      measurement_types: ['counter'],
      time_range: { start: fleet.baseTs, end: fleet.baseTs + 10_000_000 },
      limit: 1_000_000,
    });
    if (answer.error !== undefined) throw new Error(`data.query failed: ${answer.error.message}`);
    const stored = new Set<number>();
    for (const series of answer.result.series as { points: { timestamp: string | number }[] }[]) {
      for (const point of series.points) stored.add(new Date(point.timestamp).getTime() - fleet.baseTs);
    }
    for (const seq of device.acked) {
      acked++;
      if (stored.has(seq)) continue;
      lost++;
      if (sample.length < 5) sample.push(`${device.clientId}#${seq}`);
    }
  }
  return { acked, lost, sample };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
