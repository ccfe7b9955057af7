/** LwM2M over MQTT, client side: registration and updates, and the EMQX-style JSON operations on `lwm2m/{ep}/dn`. */
import { LWM2M_BINDING } from './lwm2m-device-objects.ts';
import type { ContentItem, Lwm2mObjectTree, ObjectsSnapshot, ResourceJson } from './lwm2m-object-tree.ts';
import { Lwm2mObservations, type Notification } from './lwm2m-observations.ts';
import { LWM2M_CODES, Lwm2mReplyError, type Lwm2mCodeMsg } from './lwm2m-reply-error.ts';
import type { LinkCounters } from './mqtt-link.ts';

/** The LwM2M enabler version the client registers with. */
export const LWM2M_VERSION = '1.2';

/** Counters of the LwM2M side. */
export interface Lwm2mCounters extends LinkCounters {
  /** Server requests answered on `up/resp`, whatever the code. */
  commandsAnswered: number;
  /** Server requests answered with a 4.xx or 5.xx code. */
  commandsFailed: number;
  registrations: number;
  updates: number;
  notifications: number;
  /** Messages without a reqID the hub sent on `dn`: register / update / dereg acknowledgements and error notices. */
  hubAcks: number;
}

export interface Lwm2mClientOptions {
  /** Endpoint client name: the device's hardware id. */
  readonly endpoint: string;
  readonly tree: Lwm2mObjectTree;
  readonly counters: Lwm2mCounters;
  readonly publish: (topic: string, payload: string, qos: 0 | 1) => Promise<boolean>;
  readonly onProblem: (error: Error) => void;
}

/** `data` of a response on `up/resp`. */
interface ReplyData {
  readonly reqPath?: string;
  readonly code: string;
  readonly codeMsg: string;
  readonly content?: readonly ContentItem[] | readonly string[];
  readonly location?: string;
}

type Request = Readonly<Record<string, unknown>>;

/**
 * The client half of LwM2M on a shared MQTT session. Topics (all JSON, QoS 1): `lwm2m/{ep}/reg`, `…/update`,
 * `…/dereg` out; `…/dn` in; `…/up/resp` and `…/up/notify` out. Observations end with the registration
 * (Core TS 1.2 §6.2.1: the server re-observes after a new Register).
 */
export class Lwm2mClient {
  readonly observations: Lwm2mObservations;
  readonly #o: Lwm2mClientOptions;
  readonly #topics: Readonly<Record<'reg' | 'update' | 'dereg' | 'dn' | 'resp' | 'notify', string>>;
  #sent: ObjectsSnapshot = {};
  #registered = false;
  #checkScheduled = false;
  readonly #afterReply: (() => void)[] = [];

  constructor(options: Lwm2mClientOptions) {
    this.#o = options;
    const base = `lwm2m/${options.endpoint}`;
    this.#topics = { reg: `${base}/reg`, update: `${base}/update`, dereg: `${base}/dereg`, dn: `${base}/dn`, resp: `${base}/up/resp`, notify: `${base}/up/notify` };
    this.observations = new Lwm2mObservations({ read: (path) => options.tree.read(path), notify: (n) => void this.#notify(n) });
  }

  /** The broker acknowledged the Register of this session. */
  get registered(): boolean {
    return this.#registered;
  }

  subscriptions(): string[] {
    return [this.#topics.dn];
  }

  /** /1/0/1 Lifetime, which the server may write. */
  lifetimeS(): number {
    const value = this.#o.tree.read('/1/0/1')[0]?.value;
    return typeof value === 'number' ? value : 0;
  }

  /** Register with every readable value (the seed's JSON); true once the broker acknowledged it. */
  async register(): Promise<boolean> {
    this.observations.clear();
    const objects = this.#o.tree.snapshot();
    this.#sent = objects;
    this.#o.counters.registrations++;
    const message = { endpoint: this.#o.endpoint, lifetime: this.lifetimeS(), version: LWM2M_VERSION, bindingMode: LWM2M_BINDING, objects };
    this.#registered = await this.#o.publish(this.#topics.reg, JSON.stringify(message), 1);
    return this.#registered;
  }

  /** Registration update: the lifetime and the values that changed since the last Register or Update. */
  async update(): Promise<boolean> {
    if (!this.#registered) return false;
    const now = this.#o.tree.snapshot();
    const objects = changedValues(this.#sent, now);
    this.#sent = now;
    this.#o.counters.updates++;
    return this.#o.publish(this.#topics.update, JSON.stringify({ lifetime: this.lifetimeS(), ...(Object.keys(objects).length > 0 ? { objects } : {}) }), 1);
  }

  /** De-register before an orderly disconnect. */
  async deregister(): Promise<boolean> {
    if (!this.#registered) return false;
    this.sessionEnded();
    return this.#o.publish(this.#topics.dereg, '{}', 1);
  }

  sessionEnded(): void {
    this.#registered = false;
    this.observations.clear();
  }

  /** Run `action` once the answer to the request being handled is out (reboot, registration update trigger). */
  afterReply(action: () => void): void {
    this.#afterReply.push(action);
  }

  /** Something changed: evaluate observations once the reply in flight is out. */
  changed(): void {
    if (this.#checkScheduled) return;
    this.#checkScheduled = true;
    setImmediate(() => {
      this.#checkScheduled = false;
      this.observations.check();
    });
  }

  /** Handle a message on `dn`; false when the topic is not ours. */
  async handle(topic: string, payload: Buffer): Promise<boolean> {
    if (topic !== this.#topics.dn) return false;
    let request: unknown;
    try {
      request = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      this.#problem(new Error(`Malformed LwM2M request on ${topic}: ${(error as Error).message}`));
      return true;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      this.#problem(new Error(`Malformed LwM2M request on ${topic}: not a JSON object`));
      return true;
    }
    const { reqID, msgType, data } = request as Request;
    // Server requests carry a reqID. What comes without one is the hub's acknowledgement of our register /
    // update / dereg, or its `error` notice about something we sent: count it, never answer it (no ping-pong).
    if (reqID === undefined) {
      this.#o.counters.hubAcks++;
      const code = isRecord(data) ? data['code'] : undefined;
      if (typeof code !== 'string' || !code.startsWith('2.')) this.#problem(new Error(`LwM2M ${String(msgType)} refused by the hub: ${JSON.stringify(data)}`));
      return true;
    }
    const reply = this.#perform(msgType, isRecord(data) ? data : {}, reqID);
    // What this request asked for afterwards (a reboot): run once its own answer is acknowledged, never by
    // another request's handler that happens to finish first.
    const after = this.#afterReply.splice(0);
    this.#o.counters.commandsAnswered++;
    if (!reply.code.startsWith('2.')) this.#o.counters.commandsFailed++;
    await this.#o.publish(this.#topics.resp, JSON.stringify({ reqID, msgType, data: reply }), 1);
    for (const action of after) action();
    return true;
  }

  #perform(msgType: unknown, data: Request, reqID: unknown): ReplyData {
    const { tree } = this.#o;
    const { observations } = this;
    const reqPath = typeof data['path'] === 'string' ? data['path'] : typeof data['basePath'] === 'string' ? data['basePath'] : undefined;
    const at = reqPath === undefined ? {} : { reqPath };
    const ok = (codeMsg: Lwm2mCodeMsg, content?: readonly ContentItem[] | readonly string[]): ReplyData => ({ ...at, code: LWM2M_CODES[codeMsg], codeMsg, ...(content === undefined ? {} : { content }) });
    const path = (): string => {
      if (reqPath === undefined) throw new Lwm2mReplyError('bad_request', `${String(msgType)} needs data.path`);
      return reqPath;
    };
    try {
      switch (msgType) {
        case 'read':
          return ok('content', tree.read(path()));
        case 'discover':
          return ok('content', tree.discover(path(), (p) => observations.attributesOf(p)));
        case 'write':
          tree.writeMany(writeItems(data));
          this.changed();
          return ok('changed');
        case 'write-attr':
          tree.assertExists(path());
          observations.writeAttributes(path(), data);
          return ok('changed');
        case 'execute':
          tree.execute(path(), typeof data['args'] === 'string' ? data['args'] : '');
          this.changed();
          return ok('changed');
        case 'create': {
          const location = tree.create(path(), contentItems(data['content']));
          this.changed();
          return { ...ok('created'), location };
        }
        case 'delete':
          tree.delete(path());
          observations.clear(path());
          return ok('deleted');
        case 'observe': {
          const content = tree.read(path());
          observations.observe(reqID, path(), content);
          return ok('content', content);
        }
        case 'cancel-observe':
          observations.cancel(path());
          return ok('content', tree.read(path()));
        default:
          throw new Lwm2mReplyError('bad_request', `Unsupported msgType: ${JSON.stringify(msgType)}`);
      }
    } catch (error) {
      if (error instanceof Lwm2mReplyError) return { ...at, code: error.code, codeMsg: error.codeMsg };
      this.#problem(error as Error);
      return { ...at, code: LWM2M_CODES.internal_server_error, codeMsg: 'internal_server_error' };
    }
  }

  async #notify(notification: Notification): Promise<void> {
    const { reqID, seqNum, path, content, error } = notification;
    const data: ReplyData = error === undefined ? { reqPath: path, code: LWM2M_CODES.content, codeMsg: 'content', content: content ?? [] } : { reqPath: path, code: error.code, codeMsg: error.codeMsg };
    this.#o.counters.notifications++;
    await this.#o.publish(this.#topics.notify, JSON.stringify({ reqID, msgType: 'notify', seqNum, data }), 1);
  }

  #problem(error: Error): void {
    this.#o.counters.errors++;
    this.#o.onProblem(error);
  }
}

function isRecord(value: unknown): value is Request {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{path, value}` or `{basePath, content: [{path, value}]}`; content paths may be absolute or relative to basePath. */
function writeItems(data: Request): { path: string; value: unknown }[] {
  const basePath = data['basePath'];
  if (typeof basePath !== 'string') {
    if (typeof data['path'] !== 'string' || !('value' in data)) throw new Lwm2mReplyError('bad_request', 'write needs {path, value} or {basePath, content}');
    return [{ path: data['path'], value: data['value'] }];
  }
  return contentItems(data['content']).map(({ path, value }) => ({ path: path === basePath || path.startsWith(`${basePath}/`) ? path : `${basePath}${path.startsWith('/') ? '' : '/'}${path}`, value }));
}

function contentItems(content: unknown): { path: string; value: unknown }[] {
  if (!Array.isArray(content) || content.some((item) => !isRecord(item) || typeof item['path'] !== 'string')) {
    throw new Lwm2mReplyError('bad_request', 'content must be a list of {path, value}');
  }
  return (content as Request[]).map((item) => ({ path: item['path'] as string, value: item['value'] }));
}

/** The resources whose value differs from what was last sent. */
function changedValues(before: ObjectsSnapshot, after: ObjectsSnapshot): ObjectsSnapshot {
  const out: ObjectsSnapshot = {};
  for (const [objectId, instances] of Object.entries(after)) {
    for (const [instanceId, resources] of Object.entries(instances)) {
      for (const [resourceId, value] of Object.entries(resources) as [string, ResourceJson][]) {
        if (JSON.stringify(before[objectId]?.[instanceId]?.[resourceId]) === JSON.stringify(value)) continue;
        ((out[objectId] ??= {})[instanceId] ??= {})[resourceId] = value;
      }
    }
  }
  return out;
}
