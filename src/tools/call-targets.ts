/** The devices a tool call acts on, read from its arguments (ids, id lists, filters) for the policy and the audit log. */
import type { Device } from '../core/device.ts';
import { hasFilter, toDeviceFilter, type DeviceFilterParams } from '../app/filter-params.ts';
import { resolveDevice, type HubServices } from '../app/services.ts';

const ID_KEYS = ['device_id', 'mcu_id', 'sensor_id'] as const;

/** Targets of a call; unknown ids are left out (the method itself reports them). */
export function callTargets(services: HubServices, args: Record<string, unknown>): Device[] {
  const found = new Map<string, Device>();
  const add = (ref: unknown): void => {
    if (typeof ref !== 'string') return;
    try {
      const device = resolveDevice(services, ref);
      found.set(device.id, device);
    } catch {
      // Unknown device: the call will fail with DEVICE_NOT_FOUND; nothing to decide about.
    }
  };
  for (const key of ID_KEYS) add(args[key]);
  if (Array.isArray(args['device_ids'])) for (const ref of args['device_ids']) add(ref);
  const filter = args['filter'];
  if (filter !== null && typeof filter === 'object' && hasFilter(filter as DeviceFilterParams)) {
    try {
      for (const device of services.registry.list(toDeviceFilter(services, filter as DeviceFilterParams))) found.set(device.id, device);
    } catch {
      // A filter naming an unknown parent: the call reports it.
    }
  }
  return [...found.values()];
}
