/** What is wrong with an MCP request's params before the SDK's schema reads them: the JSON input limits, and keys its validator cannot read. */
import { checkJsonLimits, type JsonLimitIssue } from '../core/json-limits.ts';

/**
 * The first problem of `params` (a pointer below `/params` and a message), or undefined. The SDK's
 * zod record check reads `value.constructor.prototype`, so an object with `"constructor": null` made
 * it throw a TypeError (-32603); such a key cannot be a valid record entry of any MCP request (prompt
 * and completion arguments are strings), so it is refused here. tools/call arguments never reach that
 * check (tool-call-arguments.ts): pass `skipNullConstructor` for it.
 */
export function wireParamsIssue(params: unknown, skipNullConstructor = false): JsonLimitIssue | undefined {
  const issue = checkJsonLimits(params, undefined, '/params');
  if (issue !== undefined || skipNullConstructor) return issue;
  // Within the limits now: depth ≤ 32, so recursion is bounded.
  return nullConstructor(params, '/params');
}

function nullConstructor(value: unknown, path: string): JsonLimitIssue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const issue = nullConstructor(item, `${path}/${i}`);
      if (issue) return issue;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key === 'constructor' && item === null) return { path: here, message: 'a "constructor" key may not be null here' };
    const issue = nullConstructor(item, here);
    if (issue) return issue;
  }
  return undefined;
}
