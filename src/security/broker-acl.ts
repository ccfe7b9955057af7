/**
 * The device ACL: which topics a device may publish on and subscribe to, as patterns over its own
 * hardware id (`%u`, Mosquitto's pattern token). One table serves the embedded broker's hooks and the
 * generated Mosquitto acl_file, so both brokers enforce the same rules (docs/security.md).
 */

/** Topic patterns a device may publish on; `%u` is its hardware id. Its will must match one too. */
export const DEVICE_PUBLISH_PATTERNS: readonly string[] = [
  'llmiot/v1/%u/up',
  // LwM2M over MQTT uplink kinds (protocols/lwm2m/adapter/topics.ts).
  'lwm2m/%u/reg',
  'lwm2m/%u/update',
  'lwm2m/%u/dereg',
  'lwm2m/%u/up/+',
  'lwm2m/%u/resp/#',
  // Sparkplug B: the edge node id is the hardware id; any group ([tck-id-topic-structure]).
  'spBv1.0/+/NBIRTH/%u',
  'spBv1.0/+/NDATA/%u',
  'spBv1.0/+/NDEATH/%u',
  'spBv1.0/+/DBIRTH/%u/#',
  'spBv1.0/+/DDATA/%u/#',
  'spBv1.0/+/DDEATH/%u/#',
];

/** Topic filters a device may subscribe to (and so receive on); commands and STATE come only from the hub. */
export const DEVICE_SUBSCRIBE_PATTERNS: readonly string[] = [
  'llmiot/v1/%u/down',
  'lwm2m/%u/dn/#',
  'spBv1.0/+/NCMD/%u',
  'spBv1.0/+/DCMD/%u/#',
  // Every device may watch primary hosts come and go [tck-id-topics-host-state-subscribe].
  'spBv1.0/STATE/+',
];

/** Characters a hardware id used as an identity may not contain: they would widen its topics. */
const UNSAFE_ID = /[/+#\u0000]/;

/** True when `hardwareId` can stand in a topic level (no `/`, `+`, `#`, NUL; not empty, not `$…`). */
export function isTopicSafeId(hardwareId: string): boolean {
  return hardwareId.length > 0 && hardwareId.length <= 256 && !UNSAFE_ID.test(hardwareId) && !hardwareId.startsWith('$');
}

/** The ACL of one device: its patterns with `%u` filled in, checked level by level. */
export class DeviceAcl {
  readonly #publish: readonly string[][];
  readonly #subscribe: readonly string[][];

  constructor(hardwareId: string) {
    const fill = (patterns: readonly string[]): string[][] => patterns.map((p) => p.replaceAll('%u', hardwareId).split('/'));
    this.#publish = fill(DEVICE_PUBLISH_PATTERNS);
    this.#subscribe = fill(DEVICE_SUBSCRIBE_PATTERNS);
  }

  /** May the device publish on `topic` (a topic name, no wildcards)? */
  mayPublish(topic: string): boolean {
    const levels = topic.split('/');
    return this.#publish.some((pattern) => filterCovers(pattern, levels));
  }

  /** May the device subscribe to `filter`? Only if every topic it matches is one the device may read. */
  maySubscribe(filter: string): boolean {
    const levels = filter.split('/');
    return this.#subscribe.some((pattern) => filterCovers(pattern, levels));
  }
}

/**
 * True when every topic matched by `inner` (a topic name or filter, as levels) is matched by `outer`
 * (MQTT 3.1.1 §4.7 wildcards): `+` in `inner` needs `+` in `outer`, `#` needs `#`.
 */
export function filterCovers(outer: readonly string[], inner: readonly string[]): boolean {
  for (let i = 0; i < outer.length; i++) {
    const o = outer[i] as string;
    if (o === '#') return true; // also matches the parent level [MQTT-4.7.1-2]
    const n = inner[i];
    if (n === undefined) return i === outer.length - 1 ? false : outer[i + 1] === '#' && i + 2 === outer.length;
    if (n === '#') return false;
    if (o === '+') continue;
    if (n === '+' || n !== o) return false;
  }
  return inner.length === outer.length;
}
