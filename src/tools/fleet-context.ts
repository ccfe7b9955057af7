/** What exists in the fleet right now, summarized for the system prompt of llm.execute_command and the prompts. */
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
