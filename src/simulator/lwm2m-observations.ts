/** Observe / Notify and Write-Attributes of a simulated LwM2M client (Core TS 1.2 §6.4, §5.1.2 notification attributes). */
import { Lwm2mReplyError } from './lwm2m-reply-error.ts';
import type { ContentItem } from './lwm2m-object-tree.ts';

/** Notification attributes (Core TS 1.2 Table 5.1.2-2); periods in seconds. */
export interface NotificationAttributes {
  readonly pmin?: number;
  readonly pmax?: number;
  readonly gt?: number;
  readonly lt?: number;
  readonly st?: number;
}

const ATTRIBUTE_KEYS = ['pmin', 'pmax', 'gt', 'lt', 'st'] as const;

/** One notification to send on `up/notify`, or the error that ends an observation. */
export interface Notification {
  readonly reqID: unknown;
  readonly seqNum: number;
  readonly path: string;
  readonly content?: readonly ContentItem[];
  readonly error?: Lwm2mReplyError;
}

export interface ObservationsOptions {
  /** Current content at a path; throws Lwm2mReplyError when it no longer exists. */
  readonly read: (path: string) => ContentItem[];
  readonly notify: (notification: Notification) => void;
  /** Real time in ms (attribute periods are wall-clock seconds). */
  readonly now?: () => number;
}

interface Observation {
  readonly reqID: unknown;
  seqNum: number;
  last: readonly ContentItem[];
  sentAt: number;
}

/**
 * Active observations by path (a new Observe on the same path replaces the old one) and the attributes written
 * at each path. `check()` sends what is due: a change that passes gt/lt/st (any change when none is set) once pmin
 * has elapsed, or the current value when pmax has elapsed. The device calls it every telemetry tick and after every
 * change, so pmax is honoured at that granularity.
 */
export class Lwm2mObservations {
  readonly #o: ObservationsOptions;
  readonly #now: () => number;
  readonly #attributes = new Map<string, NotificationAttributes>();
  readonly #active = new Map<string, Observation>();

  constructor(options: ObservationsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#active.size;
  }

  /** Write-Attributes: numbers only; `null` removes an attribute. 4.00 for anything else or pmin > pmax. */
  writeAttributes(path: string, data: Readonly<Record<string, unknown>>): void {
    const next: Record<string, number> = { ...this.#attributes.get(path) };
    for (const key of ATTRIBUTE_KEYS) {
      const value = data[key];
      if (value === undefined) continue;
      if (value === null) delete next[key];
      else if (typeof value === 'number' && Number.isFinite(value) && ((key !== 'pmin' && key !== 'pmax') || value >= 0)) next[key] = value;
      else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) next[key] = Number(value);
      else throw new Lwm2mReplyError('bad_request', `Attribute ${key} must be a number`);
    }
    if (next['pmin'] !== undefined && next['pmax'] !== undefined && next['pmin'] > next['pmax']) throw new Lwm2mReplyError('bad_request', 'pmin must not exceed pmax');
    this.#attributes.set(path, next);
  }

  /** `;pmin=10;pmax=60` for a Discover link of exactly `path`. */
  attributesOf(path: string): string {
    const attributes = this.#attributes.get(path) ?? {};
    return ATTRIBUTE_KEYS.filter((key) => attributes[key] !== undefined)
      .map((key) => `;${key}=${attributes[key]}`)
      .join('');
  }

  /** Attributes in force at `path`: resource level over instance level over object level (Core TS 1.2 §5.1.2). */
  effective(path: string): NotificationAttributes {
    const parts = path.split('/').filter((p) => p !== '');
    let merged: NotificationAttributes = {};
    for (let depth = 1; depth <= parts.length; depth++) merged = { ...merged, ...this.#attributes.get(`/${parts.slice(0, depth).join('/')}`) };
    return merged;
  }

  /** Start observing with the content just sent in the Observe response. */
  observe(reqID: unknown, path: string, content: readonly ContentItem[]): void {
    this.#active.set(path, { reqID, seqNum: 0, last: content, sentAt: this.#now() });
  }

  /** Cancel-Observe; true when there was one. */
  cancel(path: string): boolean {
    return this.#active.delete(path);
  }

  /** Drop every observation under `path` (its instance was deleted) or all of them (a new registration). */
  clear(path?: string): void {
    for (const key of [...this.#active.keys()]) if (path === undefined || key === path || key.startsWith(`${path}/`)) this.#active.delete(key);
  }

  check(): void {
    const now = this.#now();
    for (const [path, observation] of [...this.#active]) {
      let content: ContentItem[];
      try {
        content = this.#o.read(path);
      } catch (error) {
        this.#active.delete(path);
        if (error instanceof Lwm2mReplyError) this.#o.notify({ reqID: observation.reqID, seqNum: ++observation.seqNum, path, error });
        continue;
      }
      const attributes = this.effective(path);
      const elapsed = now - observation.sentAt;
      if (attributes.pmin !== undefined && elapsed < attributes.pmin * 1000) continue;
      const due = attributes.pmax !== undefined && elapsed >= attributes.pmax * 1000;
      if (!due && !significant(observation.last, content, attributes)) continue;
      observation.last = content;
      observation.sentAt = now;
      this.#o.notify({ reqID: observation.reqID, seqNum: ++observation.seqNum, path, content });
    }
  }
}

/** A change worth a notification: gt/lt crossed or a step of at least st on a single number; else any change. */
function significant(before: readonly ContentItem[], after: readonly ContentItem[], attributes: NotificationAttributes): boolean {
  if (JSON.stringify(before) === JSON.stringify(after)) return false;
  const { gt, lt, st } = attributes;
  const [a, b] = [before[0]?.value, after[0]?.value];
  if ((gt === undefined && lt === undefined && st === undefined) || before.length !== 1 || after.length !== 1 || typeof a !== 'number' || typeof b !== 'number') return true;
  const crossed = (threshold: number | undefined): boolean => threshold !== undefined && a > threshold !== b > threshold;
  return crossed(gt) || crossed(lt) || (st !== undefined && Math.abs(b - a) >= st);
}
