/** Device selection and time range params of the data.* methods, resolved once to ids and ms. */
import { MIN_TIMESTAMP_MS } from '../core/timestamp.ts';
import { Type, type Static } from '@sinclair/typebox';
import { HubError } from '../core/errors.ts';
import { canonicalName } from '../core/measurements.ts';
import { parseInterval } from '../core/telemetry.ts';
import { DeviceRef, parseTimestamp, Timestamp } from '../rpc/wire.ts';
import { DeviceFilterParams, hasFilter, noDeviceMatched, toDeviceFilter } from './filter-params.ts';
import { resolveDevice, type HubServices } from './services.ts';

export const Selection = {
  device_ids: Type.Optional(Type.Array(DeviceRef, { maxItems: 10_000, description: 'device UUIDs or hardware ids' })),
  filter: Type.Optional(DeviceFilterParams),
  measurement_types: Type.Optional(Type.Array(Type.String(), { description: 'e.g. ["temperature"]; default all' })),
};

export const TimeRange = Type.Object({
  start: Type.Optional(Timestamp),
  end: Type.Optional(Timestamp),
  last: Type.Optional(Type.String({ pattern: '^\\d+(ms|s|m|h|d|w)$', description: 'instead of start (not with it): a window ending at end/now, e.g. "24h"' })),
});

const SelectionObject = Type.Object(Selection);
type SelectionParams = Static<typeof SelectionObject>;
const RangedSelection = Type.Object({ ...Selection, time_range: Type.Optional(TimeRange) });
/** Devices, measurements and a time range: what data.export and GET /export take. */
export type RangedSelection = Static<typeof RangedSelection>;

/**
 * Device ids selected by explicit ids and/or a filter; no ids and no filter = every active device.
 * A filter that selects nothing (with no ids beside it) is NO_DEVICE_MATCHED, not an empty answer.
 */
export function selectDeviceIds(services: HubServices, params: SelectionParams): string[] {
  const ids = new Set<string>();
  for (const ref of params.device_ids ?? []) ids.add(resolveDevice(services, ref).id);
  if (params.filter && hasFilter(params.filter)) {
    for (const device of services.registry.list(toDeviceFilter(services, params.filter))) ids.add(device.id);
    if (ids.size === 0) throw noDeviceMatched(params.filter, params.device_ids);
  } else if (!params.device_ids) {
    for (const device of services.registry.list()) ids.add(device.id);
  }
  return [...ids];
}

/**
 * The stored names to look for: each requested name and its canonical one (`Sensors/temperature`
 * finds `temperature`, and series stored under the old name before the vocabulary existed);
 * undefined when all measurements are wanted.
 */
export function measurementNames(requested: readonly string[] | undefined): string[] | undefined {
  if (requested === undefined || requested.length === 0) return undefined;
  return [...new Set(requested.flatMap((name) => [name, canonicalName(name)]))];
}

/** Resolve a time range to [start, end] in ms; default the last 24 hours. */
export function resolveRange(services: HubServices, range: Static<typeof TimeRange> | undefined): { start: number; end: number } {
  const bad = (path: string, message: string): never => {
    throw new HubError('INVALID_PARAMS', `Invalid params: time_range.${path} ${message}`, { issues: [{ path: `/time_range/${path}`, message }] });
  };
  // Two starts would be one too many: `last` was silently dropped for `start` (the MCP tool refuses the pair too).
  if (range?.start !== undefined && range.last !== undefined) bad('last', 'cannot be given with start: give start, or last (each with an optional end)');
  const end = range?.end === undefined ? services.now() : (parseTimestamp(range.end) ?? bad('end', 'is not a time between 1970 and 9999'));
  // The schema's pattern lets "0h" through; a window of nothing is refused, never read as the default 24 h.
  const window = range?.last === undefined ? undefined : (parseInterval(range.last) ?? bad('last', 'must be a positive duration such as 30m, 24h, 7d'));
  const start =
    range?.start !== undefined
      ? (parseTimestamp(range.start) ?? bad('start', 'is not a time between 1970 and 9999'))
      : Math.max(MIN_TIMESTAMP_MS, end - (window ?? 86_400_000)); // a window reaching before 1970 starts there
  if (start > end) bad('start', 'must not be after end');
  return { start, end };
}

/** Parse an interval param ("1h") to ms or INVALID_PARAMS. */
export function intervalMs(text: string | undefined, spanMs: number, maxBuckets = 100_000): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseInterval(text);
  if (ms === undefined) {
    throw new HubError('INVALID_PARAMS', `Invalid params: interval "${text}" is not a duration`, {
      issues: [{ path: '/interval', message: 'must look like 30s, 5m, 1h, 1d' }],
    });
  }
  if (spanMs / ms > maxBuckets) {
    throw new HubError('INVALID_PARAMS', `Invalid params: interval ${text} makes more than ${maxBuckets} buckets`, {
      issues: [{ path: '/interval', message: `at most ${maxBuckets} buckets per series` }],
    });
  }
  return ms;
}
