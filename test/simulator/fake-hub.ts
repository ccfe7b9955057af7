/** A small fake hub for simulator tests: an in-process aedes broker plus a JSON-RPC peer on llmiot/v1/+/up. */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { duplexPair, type Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import { MqttClient } from 'mqtt';
import { deviceIdFor } from '../../src/core/device-id.ts';

/** One message a device put on its up topic, parsed. */
export interface UpMessage {
  readonly clientId: string;
  readonly message: Record<string, unknown>;
  /** Raw text, for exact comparisons (the will). */
  readonly text: string;
}

/** How the fake hub treats device requests. */
export interface FakeHubBehaviour {
  /** Drop this many device.register requests before answering (tests the retry). */
  dropRegisters?: number;
  /** Answer device.register with this JSON-RPC error instead. */
  refuseRegister?: { code: number; message: string };
  /** Hold every device publish this long before the broker takes it (and acknowledges it): a slow broker. */
  publishDelayMs?: number;
}

/** A CONNECT the broker saw: client id and will. */
export interface SeenConnect {
  readonly clientId: string;
  readonly will: { readonly topic: string; readonly payload: string; readonly qos: number | undefined; readonly retain: boolean | undefined } | undefined;
}

export class FakeHub {
  readonly broker: Aedes;
  readonly url: string;
  readonly messages: UpMessage[] = [];
  /** CONNECTs the broker saw, in order (the fake hub's own first). */
  readonly connects: SeenConnect[];
  readonly behaviour: FakeHubBehaviour;
  readonly #server: Server;
  readonly #hub: MqttClient;
  readonly #waiters = new Set<() => void>();
  #nextCommand = 1;

  private constructor(broker: Aedes, server: Server, hub: MqttClient, behaviour: FakeHubBehaviour, connects: SeenConnect[]) {
    this.broker = broker;
    this.connects = connects;
    this.#server = server;
    this.#hub = hub;
    this.behaviour = behaviour;
    this.url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    hub.on('message', (topic, payload) => this.#onUp(topic, payload));
  }

  static async start(behaviour: FakeHubBehaviour = {}): Promise<FakeHub> {
    const connects: SeenConnect[] = [];
    const broker = await Aedes.createBroker({
      preConnect: (_client, packet, callback) => {
        const will = packet.will === undefined || packet.will === null ? undefined : { topic: packet.will.topic, payload: packet.will.payload.toString(), qos: packet.will.qos, retain: packet.will.retain };
        connects.push({ clientId: packet.clientId, will });
        callback(null, true);
      },
      authorizePublish: (client, _packet, callback) => {
        const delay = client?.id === 'fake-hub' ? 0 : (behaviour.publishDelayMs ?? 0);
        if (delay > 0) setTimeout(() => callback(null), delay);
        else callback(null);
      },
    });
    const server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hub = new MqttClient(() => inProcess(broker), { clientId: 'fake-hub', reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      hub.once('connect', () => resolve());
      hub.once('error', reject);
    });
    await hub.subscribeAsync('llmiot/v1/+/up', { qos: 1 });
    return new FakeHub(broker, server, hub, behaviour, connects);
  }

  /** A stream factory for `SimulatedMcu({streamBuilder})`: connects to the broker in-process. */
  readonly streamBuilder = (): Duplex => inProcess(this.broker);

  /** Up messages of one device with a given method. */
  sent(clientId: string, method: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.clientId === clientId && m.message['method'] === method).map((m) => m.message);
  }

  /** Resolve once `predicate` holds over the messages seen so far (checked on every new message). */
  async until<T>(predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('FakeHub.until: timed out');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 50));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
    }
  }

  /** Send a hub→device command on the down topic and await the device's response (id is a string, as the hub sends). */
  async command(clientId: string, method: string, params: unknown = {}, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const id = `cmd-${this.#nextCommand++}`;
    await this.#hub.publishAsync(`llmiot/v1/${clientId}/down`, JSON.stringify({ jsonrpc: '2.0', id, method, params }), { qos: 1 });
    return this.until(() => this.messages.find((m) => m.clientId === clientId && m.message['id'] === id && !('method' in m.message))?.message, timeoutMs);
  }

  /** Publish raw bytes on a device's down topic. */
  async sendRaw(clientId: string, payload: string): Promise<void> {
    await this.#hub.publishAsync(`llmiot/v1/${clientId}/down`, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.#hub.endAsync(true);
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onUp(topic: string, payload: Buffer): void {
    const clientId = topic.split('/')[2] ?? '';
    const text = payload.toString('utf8');
    const parsed: unknown = JSON.parse(text);
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      this.messages.push({ clientId, message: message as Record<string, unknown>, text });
      this.#answer(clientId, message as Record<string, unknown>);
    }
    for (const waiter of [...this.#waiters]) {
      this.#waiters.delete(waiter);
      waiter();
    }
  }

  /** Answer device.register and sensor.discover as docs/protocol.md says; other requests get -32601. */
  #answer(clientId: string, message: Record<string, unknown>): void {
    const { id, method } = message;
    if (typeof method !== 'string' || id === undefined) return;
    const params = (message['params'] ?? {}) as Record<string, unknown>;
    let reply: Record<string, unknown>;
    if (method === 'device.register') {
      if ((this.behaviour.dropRegisters ?? 0) > 0) {
        this.behaviour.dropRegisters = (this.behaviour.dropRegisters ?? 0) - 1;
        return;
      }
      const hardwareId = typeof params['hardware_id'] === 'string' ? params['hardware_id'] : clientId;
      reply = this.behaviour.refuseRegister
        ? { error: this.behaviour.refuseRegister }
        : { result: { device_id: deviceIdFor(hardwareId), hardware_id: hardwareId, status: 'online', created: true, schema_version: '1.0.0', heartbeat_interval: 30 } };
    } else if (method === 'sensor.discover') {
      const hardwareId = String(params['hardware_id']);
      reply = { result: { sensor_id: deviceIdFor(hardwareId), device_id: deviceIdFor(hardwareId), hardware_id: hardwareId, created: true, status: 'online', schema_version: '1.0.0' } };
    } else {
      reply = { error: { code: -32601, message: `Method not found: ${method}` } };
    }
    void this.#hub.publishAsync(`llmiot/v1/${clientId}/down`, JSON.stringify({ jsonrpc: '2.0', id, ...reply }), { qos: 1 });
  }
}

/** An in-process connection to the broker. duplexPair() does not carry a destroy across, so link the two sides' close. */
function inProcess(broker: Aedes): Duplex {
  const [client, server] = duplexPair();
  client.once('close', () => server.destroy());
  server.once('close', () => client.destroy());
  broker.handle(server);
  return client;
}
