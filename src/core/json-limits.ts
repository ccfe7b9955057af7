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
  // Hot path (every device message): no path strings are built unless a limit is broken; a node keeps
  // its parent and key, and the JSON pointer is assembled from them only for the issue.
  const stack: Node[] = [{ value, parent: undefined, key: undefined, depth: 1 }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const current = node.value;
    if (typeof current === 'string') {
      const issue = checkString(current, limits);
      if (issue) return { path: pathOf(node, basePath), message: issue };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (node.depth > limits.maxDepth) return { path: pathOf(node, basePath), message: `nested deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(current)) {
      if (current.length > limits.maxItems) return { path: pathOf(node, basePath), message: `array of ${current.length} items exceeds ${limits.maxItems}` };
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i] as unknown, parent: node, key: i, depth: node.depth + 1 });
      continue;
    }
    const keys = Object.keys(current);
    if (keys.length > limits.maxKeys) return { path: pathOf(node, basePath), message: `object of ${keys.length} keys exceeds ${limits.maxKeys}` };
    for (const key of keys) {
      const child: Node = { value: (current as Record<string, unknown>)[key], parent: node, key, depth: node.depth + 1 };
      const issue = checkString(key, limits, 'key');
      if (issue) return { path: pathOf(child, basePath), message: issue };
      stack.push(child);
    }
  }
  return undefined;
}

interface Node {
  readonly value: unknown;
  readonly parent: Node | undefined;
  readonly key: string | number | undefined;
  readonly depth: number;
}

/** The JSON pointer (RFC 6901) of a node, below `basePath`. */
function pathOf(node: Node, basePath: string): string {
  const parts: string[] = [];
  for (let n: Node | undefined = node; n !== undefined && n.key !== undefined; n = n.parent) parts.push(typeof n.key === 'number' ? String(n.key) : escapePointer(n.key));
  return basePath + parts.reverse().map((p) => `/${p}`).join('');
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text has a lone surrogate, which has no UTF-8 form. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** What is wrong with a string or key, if anything. */
function checkString(text: string, limits: JsonLimits, what = 'string'): string | undefined {
  if (text.length > limits.maxStringLength) return `${what} of ${text.length} characters exceeds ${limits.maxStringLength}`;
  // A lone surrogate cannot be encoded as UTF-8: stores and answers would fail later, far from the cause.
  if (hasLoneSurrogate(text)) return `${what} is not well-formed Unicode (lone surrogate)`;
  return undefined;
}

/** RFC 6901 §3: `~` and `/` in a key. */
function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
