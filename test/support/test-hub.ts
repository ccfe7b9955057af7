/** A real hub for tests: embedded broker (or a given bus), HTTP and MQTT on port 0, silent logs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { listenHttp, type HttpListener } from '../../src/api/http-server.ts';
import type { HubConfig } from '../../src/config/options.ts';
import { createHub, type Hub, type HubOptions } from '../../src/hub.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { listenMqttTcp, type MqttListener } from '../../src/mqtt/listeners.ts';
export { eventually } from './eventually.ts';
import { MemoryMqttBus } from '../../src/mqtt/memory-bus.ts';
import type { QoS } from '../../src/core/ports/mqtt-bus.ts';
import { uniqueSuffix } from './services.ts';

export interface TestHub {
  readonly hub: Hub;
  readonly httpUrl: string;
  /** URL devices connect to (the embedded broker's port, or the external broker). */
  readonly mqttUrl: string;
  readonly dataDir: string;
  rpc(method: string, params?: unknown): Promise<{ result?: any; error?: { code: number; message: string; data?: any } }>;
  /** Connect an MQTT client as a device (client id = hardware id); needs a socket broker (not `bus: 'memory'`). */
  device(clientId: string, options?: mqtt.IClientOptions): Promise<MqttClient>;
  /** Connect a device and open a {@link DeviceLink} on it, over whichever bus the hub has. */
  link(clientId: string): Promise<DeviceLink>;
  /** Stop everything; the data directory is removed unless `keepData` (restart tests). */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** Options of {@link startTestHub} beyond the hub's config. */
export interface TestHubOptions extends Pick<HubOptions, 'now'> {
  /**
   * 'memory': the hub runs on a {@link MemoryMqttBus} and devices connect to it in memory (no
   * socket, no MQTT codec) through {@link TestHub.link}; for tests about what lies behind the bus.
   */
  readonly bus?: 'memory';
  /** HTTP port to listen on (default 0, ephemeral): for a scraper started before the hub. */
  readonly httpPort?: number;
}

/**
 * Start a hub for a test. Each hub gets its own Sparkplug host id unless the test names one, so
 * hubs of test files running at the same time on the shared broker never answer for each other (they
 * may still ask each other's Sparkplug edge nodes to rebirth: docs/sparkplug.md, Rebirth requests).
 * `options.now` injects the hub's clock (liveness, command deadlines, timestamps).
 */
export async function startTestHub(config: Partial<HubConfig> = {}, keepDataDir?: string, options: TestHubOptions = {}): Promise<TestHub> {
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'llmiot-test-'));
  const sparkplugHostId = `llmiot-test-${uniqueSuffix()}`;
  const memoryBus = options.bus === 'memory' ? new MemoryMqttBus() : undefined;
  const hubOptions: HubOptions = { logger: silentLogger, ...(options.now && { now: options.now }), ...(memoryBus && { bus: memoryBus }) };
  // It listens on loopback only (below), so device auth defaults to open, as for a lab hub.
  const hub = await createHub({ store: 'sqlite', dataDir, logLevel: 'silent', sparkplugHostId, mqttHost: '127.0.0.1', httpHost: '127.0.0.1', ...config }, hubOptions);
  const http: HttpListener = await listenHttp(hub.http, { port: options.httpPort ?? 0, host: '127.0.0.1' });
  let mqttListener: MqttListener | undefined;
  let mqttUrl = config.mqttUrl ?? '';
  if (hub.bus instanceof EmbeddedMqttBus) {
    mqttListener = await listenMqttTcp(hub.bus, { port: 0, host: '127.0.0.1' });
    mqttUrl = `mqtt://127.0.0.1:${mqttListener.port}`;
  }
  const clients: Array<{ endAsync(force?: boolean): Promise<void> }> = [];
  let id = 0;
  const testHub: TestHub = {
    hub,
    httpUrl: http.url,
    mqttUrl,
    dataDir,
    async rpc(method, params = {}) {
      const response = await fetch(`${http.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      });
      return (await response.json()) as never;
    },
    async device(clientId, options = {}) {
      if (memoryBus) throw new Error('this test hub runs on the in-memory bus: connect devices with link()');
      const client = await mqtt.connectAsync(mqttUrl, { clientId, protocolVersion: 4, reconnectPeriod: 0, ...options });
      clients.push(client);
      return client;
    },
    async link(clientId) {
      const client: LinkClient = memoryBus ? await memoryBus.connect(clientId) : await testHub.device(clientId);
      if (memoryBus) clients.push(client);
      return DeviceLink.open(client, clientId);
    },
    async close(options = {}) {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      // As the CLI does: announce the shutdown while device connections are open.
      await hub.goingOffline();
      await http.close();
      await mqttListener?.close();
      await hub.close();
      await memoryBus?.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testHub;
}

/** The device client calls a {@link DeviceLink} makes: an mqtt.js client or an in-memory one. */
export interface LinkClient {
  publish(topic: string, payload: string, options: { qos: QoS }): unknown;
  subscribeAsync(filter: string, options: { qos: QoS }): Promise<unknown>;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  endAsync(force?: boolean): Promise<void>;
}

/** A device-side JSON-RPC helper over the native topics. */
export class DeviceLink {
  readonly #client: LinkClient;
  readonly #clientId: string;
  readonly #pending = new Map<number, (message: any) => void>();
  readonly commands: any[] = [];
  readonly notifications: any[] = [];
  #id = 0;
  /** Answer hub commands with this function (default: none, the command times out). */
  onCommand: ((method: string, params: any) => unknown) | undefined;

  private constructor(client: LinkClient, clientId: string) {
    this.#client = client;
    this.#clientId = clientId;
    client.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString());
      if (message.method !== undefined && message.id !== undefined) {
        this.commands.push(message);
        if (this.onCommand) {
          let reply: unknown;
          try {
            reply = { jsonrpc: '2.0', id: message.id, result: this.onCommand(message.method, message.params) };
          } catch (error) {
            reply = { jsonrpc: '2.0', id: message.id, error: { code: -32000, message: (error as Error).message } };
          }
          this.send(reply);
        }
      } else if (message.method !== undefined) {
        this.notifications.push(message);
      } else if (typeof message.id === 'number') {
        this.#pending.get(message.id)?.(message);
        this.#pending.delete(message.id);
      } else {
        this.notifications.push(message);
      }
    });
  }

  static async open(client: LinkClient, clientId: string): Promise<DeviceLink> {
    await client.subscribeAsync(`llmiot/v1/${clientId}/down`, { qos: 1 });
    return new DeviceLink(client, clientId);
  }

  send(message: unknown): void {
    this.#client.publish(`llmiot/v1/${this.#clientId}/up`, typeof message === 'string' ? message : JSON.stringify(message), { qos: 1 });
  }

  /** Send a request and await its response (the deadline allows for a loaded machine; it costs nothing when the hub answers). */
  request(method: string, params: unknown, timeoutMs = 10_000): Promise<any> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method}`)), timeoutMs);
      this.#pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }
}

