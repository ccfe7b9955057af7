/** Device filters shared by device.list, batch.execute, data.query and the LLM tools. */
import type { Device, DeviceProtocol, DeviceStatus, DeviceType } from './device.ts';
import { canonicalName } from './measurements.ts';

export interface DeviceFilter {
  readonly type?: DeviceType;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly status?: DeviceStatus;
  /** Every tag listed must be present (case-insensitive). */
  readonly tags?: readonly string[];
  readonly zone?: string;
  /** The whole name (case-insensitive), e.g. as an operator set it with device.update. */
  readonly name?: string;
  readonly parentId?: string;
  readonly protocol?: DeviceProtocol;
  /**
   * A measurement type the device reports or declares, e.g. "temperature"; compared by canonical
   * name, so it also matches a Sparkplug device declaring `Sensors/temperature` (docs/measurements.md).
   */
  readonly measurementType?: string;
  /** Case-insensitive substring of name, hardware id, manufacturer, model or description. */
  readonly search?: string;
}

/**
 * Case-insensitive, accent-sensitive equality ("Zone A" is "zone a", not "Zöne A"). One collator for
 * every comparison: `localeCompare` with options builds a new one per call, which made a zone filter
 * over 10,000 devices cost ten times a whole unfiltered page (bench/device-list-bench.ts).
 */
const COLLATOR = new Intl.Collator(undefined, { sensitivity: 'accent' });
export const sameText = (a: string, b: string): boolean => COLLATOR.compare(a, b) === 0;
const same = sameText;

/** Measurement types a device declares in its static schema. */
export function declaredMeasurements(device: Device): string[] {
  const list = device.staticSchema['measurements'];
  if (!Array.isArray(list)) return [];
  return list.flatMap((m: unknown) =>
    m !== null && typeof m === 'object' && typeof (m as { measurement_type?: unknown }).measurement_type === 'string'
      ? [(m as { measurement_type: string }).measurement_type]
      : [],
  );
}

/** True when `device` satisfies every criterion of `filter`. Deregistered devices only match an explicit status. */
export function matchesFilter(device: Device, filter: DeviceFilter): boolean {
  if (filter.status !== undefined ? device.status !== filter.status : device.status === 'deregistered') return false;
  if (filter.type !== undefined && device.type !== filter.type) return false;
  if (filter.manufacturer !== undefined && !same(device.manufacturer, filter.manufacturer)) return false;
  if (filter.model !== undefined && !same(device.model, filter.model)) return false;
  if (filter.zone !== undefined && (device.zone === null || !same(device.zone, filter.zone))) return false;
  if (filter.name !== undefined && !same(device.name, filter.name)) return false;
  if (filter.parentId !== undefined && device.parentId !== filter.parentId) return false;
  if (filter.protocol !== undefined && !device.protocols.includes(filter.protocol)) return false;
  if (filter.tags !== undefined && !filter.tags.every((t) => device.tags.some((own) => same(own, t)))) return false;
  if (filter.measurementType !== undefined) {
    const wanted = canonicalName(filter.measurementType);
    if (!declaredMeasurements(device).some((m) => same(m, filter.measurementType as string) || same(canonicalName(m), wanted))) return false;
  }
  if (filter.search !== undefined) {
    const needle = filter.search.toLowerCase();
    const hay = `${device.name}\n${device.hardwareId}\n${device.manufacturer}\n${device.model}\n${device.description ?? ''}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}
