/** A scripted LwM2M-over-MQTT device for tests: registers, answers `dn` requests as told, notifies. */
import type { MqttClient, IClientOptions } from 'mqtt';
import { eventually, type TestHub } from '../../support/test-hub.ts';

/** A message the hub sent on `lwm2m/{ep}/dn`. */
export interface Downlink {
  readonly reqID?: number;
  readonly msgType: string;
  readonly data: any;
  readonly encoding?: string;
}

/** How the device answers a request: `data` of the `up/resp` message (reqPath is filled in), or undefined for no answer. */
export type Script = (request: Downlink) => Record<string, unknown> | undefined;

const ACK_TYPES = new Set(['register', 'update', 'deregister', 'error']);

/** The seed's registration (shared/seeds/002_139d5ad678545706.txt), verbatim. */
export const SEED_REGISTRATION = `{
  "endpoint": "device-temp-001",
  "lifetime": 3600,
  "version": "1.2",
  "bindingMode": "UQ",
  "objects": {
    "3": { "0": { "0": "IoT Testing Corp", "1": "SimDevice-temperature_sensor" }}
  }
}`;

export class ScriptedDevice {
  readonly endpoint: string;
  readonly client: MqttClient;
  /** Everything received on `dn`, in order. */
  readonly downlinks: Downlink[] = [];
  /** Answers requests; default: nothing (the command times out). */
  script: Script | undefined;

  private constructor(endpoint: string, client: MqttClient) {
    this.endpoint = endpoint;
    this.client = client;
    client.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString()) as Downlink;
      this.downlinks.push(message);
      if (message.reqID === undefined || ACK_TYPES.has(message.msgType)) return;
      const data = this.script?.(message);
      if (data !== undefined) this.answer(message, data);
    });
  }

  /** Connect with client id = endpoint (the embedded broker requires it) and subscribe to `dn`. */
  static async connect(t: TestHub, endpoint: string, options: IClientOptions = {}): Promise<ScriptedDevice> {
    const client = await t.device(endpoint, options);
    await client.subscribeAsync(`lwm2m/${endpoint}/dn`, { qos: 1 });
    return new ScriptedDevice(endpoint, client);
  }

  /** Acknowledgements received (register / update / deregister / error). */
  acks(msgType?: string): Downlink[] {
    return this.downlinks.filter((m) => ACK_TYPES.has(m.msgType) && (msgType === undefined || m.msgType === msgType));
  }

  /** Operation requests received. */
  requests(msgType?: string): Downlink[] {
    return this.downlinks.filter((m) => m.reqID !== undefined && !ACK_TYPES.has(m.msgType) && (msgType === undefined || m.msgType === msgType));
  }

  publish(suffix: string, payload: string | Buffer): void {
    this.client.publish(`lwm2m/${this.endpoint}/${suffix}`, payload, { qos: 1 });
  }

  /** Publish on `reg`, `update` or `dereg` and wait for the matching acknowledgement. */
  async send(kind: 'reg' | 'update' | 'dereg', body: unknown): Promise<Downlink> {
    const msgType = { reg: 'register', update: 'update', dereg: 'deregister' }[kind];
    const before = this.acks(msgType).length;
    this.publish(kind, typeof body === 'string' ? body : JSON.stringify(body));
    return eventually(() => this.acks(msgType)[before], 5000, `${msgType} acknowledgement for ${this.endpoint}`);
  }

  register(body: unknown): Promise<Downlink> {
    return this.send('reg', body);
  }

  answer(request: Downlink, data: Record<string, unknown>): void {
    const path = request.data?.path ?? request.data?.basePath;
    this.publish('up/resp', JSON.stringify({ reqID: request.reqID, msgType: request.msgType, data: { reqPath: path, ...data } }));
  }

  /** Publish a notification for an observation request. */
  notify(observe: Downlink, content: readonly { path: string; value: unknown }[], seqNum = 1): void {
    this.publish('up/notify', JSON.stringify({ reqID: observe.reqID, msgType: 'notify', seqNum, data: { reqPath: observe.data.path, code: '2.05', codeMsg: 'content', content } }));
  }

  /** The n-th request of a type (0-based), once it has arrived. */
  request(msgType: string, index = 0, timeoutMs = 5000): Promise<Downlink> {
    return eventually(() => this.requests(msgType)[index], timeoutMs, `${msgType} request #${index} to ${this.endpoint}`);
  }
}

/** `data` of a 2.05 answer with content. */
export const content = (entries: readonly { path: string; value: unknown }[]): Record<string, unknown> => ({ code: '2.05', codeMsg: 'content', content: entries });
/** `data` of an answer without content. */
export const coded = (code: string, codeMsg: string): Record<string, unknown> => ({ code, codeMsg });

/** The value of one Prometheus sample line, or 0. */
export async function metricValue(t: TestHub, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The error of a JSON-RPC answer, failing the test when there is none. */
export function rpcError(answer: { result?: unknown; error?: { code: number; message: string; data?: any } }): { code: number; message: string; data?: any } {
  if (answer.error === undefined) throw new Error(`expected a JSON-RPC error, got ${JSON.stringify(answer)}`);
  return answer.error;
}
