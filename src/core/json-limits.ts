/**
 * Limits on every JSON input the hub accepts (HTTP, WebSocket, native MQTT, LwM2M JSON, MCP): depth,
 * keys per object, items per array, string length and well-formed strings. Checked once at the edge,
 * iteratively (a 6,000-level document must not overflow the stack here or anywhere further in).
 */

export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the top-level value is depth 1). */
  readonly maxDepth: number;
  /** Most keys in one object. */
  readonly maxKeys: number;
  /** Most items in one array. */
  readonly maxItems: number;
  /** Longest string, keys included, in UTF-16 code units. */
  readonly maxStringLength: number;
}

/** The hub's limits; docs/protocol.md lists them. */
export const JSON_LIMITS: JsonLimits = { maxDepth: 32, maxKeys: 1_000, maxItems: 10_000, maxStringLength: 65_536 };

/** Why a value was refused: a JSON Pointer and a message, as in `data.issues`. */
export interface JsonLimitIssue {
  readonly path: string;
  readonly message: string;
}

/** The first limit a value breaks, or undefined when it is within all of them. */
export function checkJsonLimits(value: unknown, limits: JsonLimits = JSON_LIMITS, basePath = ''): JsonLimitIssue | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: basePath, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof current === 'string') {
      const issue = checkString(current, path, limits);
      if (issue) return issue;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limits.maxDepth) return { path, message: `nested deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(current)) {
      if (current.length > limits.maxItems) return { path, message: `array of ${current.length} items exceeds ${limits.maxItems}` };
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i] as unknown, path: `${path}/${i}`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(current);
    if (keys.length > limits.maxKeys) return { path, message: `object of ${keys.length} keys exceeds ${limits.maxKeys}` };
    for (const key of keys) {
      const keyPath = `${path}/${escapePointer(key)}`;
      const issue = checkString(key, keyPath, limits, 'key');
      if (issue) return issue;
      stack.push({ value: (current as Record<string, unknown>)[key], path: keyPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(text: string, path: string, limits: JsonLimits, what = 'string'): JsonLimitIssue | undefined {
  if (text.length > limits.maxStringLength) return { path, message: `${what} of ${text.length} characters exceeds ${limits.maxStringLength}` };
  // A lone surrogate cannot be encoded as UTF-8: stores and answers would fail later, far from the cause.
  if (LONE_SURROGATE.test(text)) return { path, message: `${what} is not well-formed Unicode (lone surrogate)` };
  return undefined;
}

/** RFC 6901 §3: `~` and `/` in a key. */
function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
