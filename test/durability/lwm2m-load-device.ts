/**
 * A LwM2M-over-MQTT device for the crash tests: a persistent MQTT session (clean: false), registered
 * with one IPSO temperature instance, reporting readings 0, 1, 2, … as /3303/0/5700 values in
 * Registration Updates at QoS 1, remembering which updates the broker acknowledged (PUBACK) and when.
 * Like a real LwM2M client it registers again on every (re)connection and after a 4.04 to an Update.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { eventually } from '../support/eventually.ts';
import { DRAIN_TIMEOUT_MS, type CrashHub } from './crash-fixture.ts';

const REGISTRATION = (endpoint: string): string =>
  JSON.stringify({ endpoint, version: '1.2', lifetime: 600, objects: { '3': { '0': { '0': 'Acme', '1': 'Crash' } }, '3303': { '0': { '5700': -1 } } } });

export class Lwm2mLoadDevice {
  readonly endpoint: string;
  /** The IPSO temperature instance the readings are stored under. */
  readonly sensorId: string;
  /** PUBACK time of each acknowledged reading. */
  readonly acked = new Map<number, number>();
  readonly unacked = new Set<number>();
  /** Registrations the hub refused (their acknowledgement data), for failure messages. */
  readonly refusals: string[] = [];
  /** Registrations the hub confirmed (2.01); a reading published in one is tagged with its number. */
  registrations = 0;
  readonly #epochOf = new Map<number, number>();
  #client: MqttClient | undefined;
  #registered = false;
  #registeredAt = 0;
  #next = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  /** Resolves the load loop's current wait ({@link #changed}). */
  #wake: () => void = () => {};

  constructor(endpoint: string) {
    this.endpoint = endpoint;
    this.sensorId = deviceIdFor(`${endpoint}/lwm2m:3303/0`);
  }

  get sent(): number {
    return this.#next;
  }

  async connect(url: string): Promise<void> {
    const client = await connectAsync(url, { clientId: this.endpoint, clean: false, reconnectPeriod: 100, connectTimeout: 5000, protocolVersion: 4 });
    this.#client = client;
    client.on('error', () => {}); // refused while the hub is down: MQTT.js retries on its own
    client.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString()) as { reqID?: unknown; msgType?: string; data?: { code?: string } };
      if (message.reqID !== undefined) return;
      if (message.msgType === 'register' && message.data?.code === '2.01') {
        this.registrations++;
        this.#registered = true;
        this.#wake();
      } else if (message.msgType === 'register') {
        this.refusals.push(JSON.stringify(message.data));
      }
      if (message.msgType === 'update' && message.data?.code === '4.04') this.#register();
    });
    // A new connection may be a restarted hub that has forgotten the registration.
    client.on('connect', () => this.#register());
    await client.subscribeAsync(`lwm2m/${this.endpoint}/dn`, { qos: 1 });
    this.#register();
    await eventually(() => this.#registered, DRAIN_TIMEOUT_MS, `${this.endpoint} registered`);
  }

  #register(): void {
    this.#registered = false;
    this.#registeredAt = Date.now();
    this.#client?.publish(`lwm2m/${this.endpoint}/reg`, REGISTRATION(this.endpoint), { qos: 1 });
  }

  /** Publish readings `0 … count - 1`, about `ratePerSecond` a second, at most `window` unacknowledged. */
  startLoad(count: number, ratePerSecond = 300, window = 20): void {
    this.#running = true;
    const client = this.#client as MqttClient;
    const topic = `lwm2m/${this.endpoint}/update`;
    this.#loop = (async () => {
      const startedAt = Date.now();
      let progressAt = Date.now();
      while (this.#running && this.#next < count) {
        if (!this.#registered || this.unacked.size >= window) {
          if (Date.now() - progressAt > DRAIN_TIMEOUT_MS) throw new Error(`${this.endpoint}: no progress for ${DRAIN_TIMEOUT_MS} ms (registered: ${this.#registered}, unacknowledged: ${this.unacked.size})`);
          // Like a LwM2M client whose Register went unanswered: register again.
          if (!this.#registered && Date.now() - this.#registeredAt > 1000) this.#register();
          // Wait for a PUBACK or a registration answer, or a second to pass (to register again).
          await this.#changed(1000);
          continue;
        }
        progressAt = Date.now();
        const seq = this.#next++;
        this.unacked.add(seq);
        this.#epochOf.set(seq, this.registrations);
        client.publish(topic, JSON.stringify({ objects: { '3303': { '0': { '5700': seq } } } }), { qos: 1 }, (error) => {
          if (error !== undefined && error !== null) return;
          this.unacked.delete(seq);
          this.acked.set(seq, Date.now());
          this.#wake();
        });
        const due = startedAt + (this.#next * 1000) / ratePerSecond;
        if (seq % 10 === 9) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      }
    })();
  }

  /** Resolves on the next PUBACK or registration answer, or after `ms`. */
  #changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async finished(): Promise<void> {
    await this.#loop;
  }

  async drain(): Promise<void> {
    await this.finished();
    await eventually(() => this.unacked.size === 0, DRAIN_TIMEOUT_MS, `every LwM2M reading of ${this.endpoint} acknowledged`);
  }

  /**
   * Readings that must be in the store: acknowledged before `crashAt`, or published in the last
   * registration (after the hub was back). An update in flight at the crash reaches the restarted hub
   * before the device registered again: it is refused for good with a 4.04 (the device is told, and
   * registers again), so it is not counted.
   */
  mustBeStored(crashAt: number): number[] {
    const last = this.registrations;
    return [...this.acked].filter(([seq, at]) => at < crashAt || this.#epochOf.get(seq) === last).map(([seq]) => seq);
  }

  /** Stop and disconnect. A load that failed was reported by {@link finished} or {@link drain}; the client is ended anyway. */
  async close(): Promise<void> {
    this.#running = false;
    this.#wake();
    await this.#loop?.catch(() => {});
    await this.#client?.endAsync(true);
  }
}

/** Readings that had to be stored and are not (the first few), from `data.query` on the hub. */
export async function lwm2mLoss(hub: CrashHub, device: Lwm2mLoadDevice, crashAt: number, since: number): Promise<{ expected: number; lost: number[] }> {
  const expected = device.mustBeStored(crashAt);
  const lostNow = async (): Promise<number[]> => {
    const answer = await hub.rpc('data.query', { device_ids: [device.sensorId], measurement_types: ['temperature'], time_range: { start: since, end: Date.now() + 60_000 }, limit: 1_000_000 });
    if (answer.error !== undefined) throw new Error(`data.query failed: ${answer.error.message}`);
    const stored = new Set<number>();
    for (const series of answer.result.series as { points: { value: number }[] }[]) for (const point of series.points) stored.add(point.value);
    return expected.filter((seq) => !stored.has(seq));
  };
  // The last batch may still be committing.
  const settled = await eventually(async () => ((await lostNow()).length === 0 ? [] : undefined), 2000).catch(() => undefined);
  return { expected: expected.length, lost: settled ?? (await lostNow()).slice(0, 5) };
}
