/** What exists in the fleet right now, summarized for tool descriptions and input-schema examples. */
import { declaredMeasurements } from '../core/device-filter.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';

export interface FleetContext {
  readonly zones: string[];
  readonly models: string[];
  readonly measurementTypes: string[];
  readonly tags: string[];
  /** `name (model, zone, status) = uuid`, MCUs first; at most `maxDevices`. */
  readonly devices: { id: string; line: string; type: string }[];
  readonly deviceCount: number;
}

const sorted = (set: Set<string>): string[] => [...set].sort((a, b) => a.localeCompare(b));

export function fleetContext(registry: DeviceRegistry, maxDevices = 50): FleetContext {
  const zones = new Set<string>();
  const models = new Set<string>();
  const measurements = new Set<string>();
  const tags = new Set<string>();
  const all = registry.list();
  for (const d of all) {
    if (d.zone) zones.add(d.zone);
    models.add(d.model);
    for (const m of declaredMeasurements(d)) measurements.add(m);
    for (const t of d.tags) tags.add(t);
  }
  const ordered = [...all].sort((a, b) => (a.type === b.type ? 0 : a.type === 'mcu' ? -1 : 1));
  return {
    zones: sorted(zones),
    models: sorted(models),
    measurementTypes: sorted(measurements),
    tags: sorted(tags),
    devices: ordered.slice(0, maxDevices).map((d) => ({
      id: d.id,
      type: d.type,
      line: `${d.hardwareId} (${d.type} ${d.model}${d.zone ? `, ${d.zone}` : ''}, ${d.status}) = ${d.id}`,
    })),
    deviceCount: all.length,
  };
}

/** A few lines for a tool description. */
export function describeFleet(context: FleetContext): string {
  if (context.deviceCount === 0) return 'The fleet is empty right now.';
  const lines = [
    `Fleet now: ${context.deviceCount} devices.`,
    context.zones.length > 0 ? `Zones: ${context.zones.join(', ')}.` : '',
    `Models: ${context.models.join(', ')}.`,
    context.measurementTypes.length > 0 ? `Measurement types: ${context.measurementTypes.join(', ')}.` : '',
  ];
  return lines.filter(Boolean).join(' ');
}
