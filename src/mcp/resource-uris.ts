/**
 * The hub's MCP resource URIs: `llmiot://fleet`, `llmiot://device/{id}` and
 * `llmiot://device/{id}/telemetry` (RFC 6570 templates). `{id}` is a device UUID, or a hardware id
 * percent-encoded (sensor hardware ids contain `/`).
 */

export const FLEET_URI = 'llmiot://fleet';
/** RFC 6570 template of one device's document. */
export const DEVICE_TEMPLATE = 'llmiot://device/{id}';
/** RFC 6570 template of one device's telemetry. */
export const TELEMETRY_TEMPLATE = 'llmiot://device/{id}/telemetry';

const DEVICE_PREFIX = 'llmiot://device/';
const TELEMETRY_SUFFIX = '/telemetry';

/** What a URI names: the fleet, or a device (UUID or hardware id) document or telemetry. */
export type ResourceRef = { readonly kind: 'fleet' } | { readonly kind: 'device' | 'telemetry'; readonly ref: string };

/** The document URI of a device (UUID or hardware id). */
export const deviceUri = (id: string): string => `${DEVICE_PREFIX}${encodeURIComponent(id)}`;
/** The telemetry URI of a device (UUID or hardware id). */
export const telemetryUri = (id: string): string => `${deviceUri(id)}${TELEMETRY_SUFFIX}`;

/** The resource a URI names, or undefined when it is not one of ours. */
export function parseResourceUri(uri: string): ResourceRef | undefined {
  if (uri === FLEET_URI) return { kind: 'fleet' };
  if (!uri.startsWith(DEVICE_PREFIX)) return undefined;
  let rest = uri.slice(DEVICE_PREFIX.length);
  const kind = rest.endsWith(TELEMETRY_SUFFIX) ? 'telemetry' : 'device';
  if (kind === 'telemetry') rest = rest.slice(0, -TELEMETRY_SUFFIX.length);
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return { kind, ref: decodeURIComponent(rest) };
  } catch {
    return undefined;
  }
}
