/** MQTT topic names and filters: validation, wildcard matching and shared-subscription filters. */

const SLASH = 47; // '/'
const PLUS = 43; // '+'
const HASH = 35; // '#'
const DOLLAR = 36; // '$'

/** Largest UTF-8 encoded topic name or filter [MQTT-4.7.3-3]. */
const MAX_TOPIC_BYTES = 65_535;

/**
 * Does `topic` (a topic name, no wildcards) match `filter` (a valid topic filter)?
 *
 * `+` matches exactly one level, `#` matches the parent level and any number of child levels
 * (MQTT 3.1.1 §4.7.1.2–4.7.1.3); a filter starting with a wildcard never matches a topic starting
 * with `$` [MQTT-4.7.2-1]. Runs over char codes without allocating, so it can sit on a hot path.
 */
export function matchTopic(filter: string, topic: string): boolean {
  if (topic.charCodeAt(0) === DOLLAR) {
    const first = filter.charCodeAt(0);
    // [MQTT-4.7.2-1]
    if (first === HASH || first === PLUS) return false;
  }
  const filterLength = filter.length;
  const topicLength = topic.length;
  let f = 0;
  let t = 0;
  while (f < filterLength) {
    const code = filter.charCodeAt(f);
    if (code === HASH) return true;
    if (code === PLUS) {
      while (t < topicLength && topic.charCodeAt(t) !== SLASH) t++;
      f++;
      continue;
    }
    if (t < topicLength && topic.charCodeAt(t) === code) {
      f++;
      t++;
      continue;
    }
    // "sport/#" also matches "sport": '#' includes the parent level (MQTT 3.1.1 §4.7.1.2).
    return t === topicLength && code === SLASH && f + 2 === filterLength && filter.charCodeAt(f + 1) === HASH;
  }
  return t === topicLength;
}

/** Why a topic filter is invalid, or null when it is valid. */
export function topicFilterProblem(filter: string): string | null {
  // [MQTT-4.7.3-1]
  if (filter.length === 0) return 'a topic filter must not be empty';
  // [MQTT-4.7.3-2]
  if (filter.includes('\u0000')) return 'a topic filter must not contain U+0000';
  // [MQTT-4.7.3-3]
  if (Buffer.byteLength(filter, 'utf8') > MAX_TOPIC_BYTES) return 'a topic filter must not exceed 65535 bytes';
  for (let i = 0; i < filter.length; i++) {
    const code = filter.charCodeAt(i);
    const startsLevel = i === 0 || filter.charCodeAt(i - 1) === SLASH;
    const endsLevel = i === filter.length - 1 || filter.charCodeAt(i + 1) === SLASH;
    // [MQTT-4.7.1-2] '#' occupies a whole level and is the last character.
    if (code === HASH && !(startsLevel && i === filter.length - 1)) {
      return "'#' must be the last level of a topic filter, on its own";
    }
    // [MQTT-4.7.1-3] '+' occupies a whole level.
    if (code === PLUS && !(startsLevel && endsLevel)) return "'+' must occupy a whole topic level";
  }
  return null;
}

/** Why a topic name (what a PUBLISH carries) is invalid, or null when it is valid. */
export function topicNameProblem(topic: string): string | null {
  // [MQTT-4.7.3-1]
  if (topic.length === 0) return 'a topic name must not be empty';
  // [MQTT-3.3.2-2]
  if (topic.includes('+') || topic.includes('#')) return 'a topic name must not contain wildcards';
  // [MQTT-4.7.3-2]
  if (topic.includes('\u0000')) return 'a topic name must not contain U+0000';
  // [MQTT-4.7.3-3]
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) return 'a topic name must not exceed 65535 bytes';
  return null;
}

/** Throw when `filter` is not a valid topic filter. */
export function assertTopicFilter(filter: string): void {
  const problem = topicFilterProblem(filter);
  if (problem !== null) throw new TypeError(`invalid MQTT topic filter "${filter}": ${problem}`);
}

/** Throw when `topic` is not a valid topic name. */
export function assertTopicName(topic: string): void {
  const problem = topicNameProblem(topic);
  if (problem !== null) throw new TypeError(`invalid MQTT topic name "${topic}": ${problem}`);
}

/**
 * The shared-subscription filter `$share/{group}/{filter}` (MQTT 5.0 §4.8.2). Throws when the
 * share name is empty or contains '/', '+' or '#' [MQTT-4.8.2-1] [MQTT-4.8.2-2].
 */
export function sharedFilter(group: string, filter: string): string {
  if (group.length === 0 || /[/+#]/.test(group)) {
    throw new TypeError(`invalid MQTT shared subscription group "${group}": it must be non-empty, without '/', '+' or '#'`);
  }
  assertTopicFilter(filter);
  return `$share/${group}/${filter}`;
}
