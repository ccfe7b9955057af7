/** find_devices: the fleet, filtered and paged, one short row per device (ids for the other tools). */
import { toDeviceFilter, type DeviceFilterParams } from '../app/filter-params.ts';
import type { Device } from '../core/device.ts';
import { capabilityNames, capabilitiesOf } from './device-capabilities.ts';
import type { JsonSchemaObject, RouteEnv, ToolRoute } from './tool-definition.ts';
import { invalid } from './verb-routes.ts';

const DEFAULT_LIMIT = 25;

const s = (type: string | string[], description: string): Record<string, unknown> => ({ type, description });
export const FIND_DEVICES_OUTPUT: JsonSchemaObject = {
  type: 'object',
  properties: {
    total: s('integer', 'devices matching'),
    devices: {
      type: 'array',
      description: 'this page',
      items: {
        type: 'object',
        properties: {
          id: s('string', 'UUID'),
          hardware_id: s('string', 'hardware id'),
          name: s('string', 'name'),
          type: s('string', 'mcu, sensor or actuator'),
          model: s('string', 'model'),
          zone: s(['string', 'null'], 'zone'),
          status: s('string', 'online, offline or deregistered'),
        },
        required: ['id', 'hardware_id', 'type', 'model', 'status'],
        additionalProperties: false,
      },
    },
    next_cursor: s('string', 'pass as cursor for the next page'),
  },
  required: ['total', 'devices'],
  additionalProperties: false,
};

export function findDevicesRoute(args: Record<string, unknown>, env: RouteEnv): ToolRoute {
  const filter: Record<string, unknown> = {};
  for (const key of ['zone', 'model', 'type', 'status', 'protocol'] as const) if (args[key] !== undefined) filter[key] = args[key];
  if (args['tag'] !== undefined) filter['tags'] = [args['tag']];
  if (args['measurement'] !== undefined) filter['measurement_type'] = args['measurement'];
  if (args['text'] !== undefined) filter['search'] = args['text'];
  const offset = args['cursor'] === undefined ? 0 : Number(args['cursor']);
  if (!Number.isInteger(offset) || offset < 0) throw invalid('/cursor', 'cursor is not one this tool returned');
  const limit = (args['limit'] as number | undefined) ?? DEFAULT_LIMIT;
  const capability = args['capability'] as string | undefined;
  const params = Object.keys(filter).length > 0 ? { filter } : {};
  return {
    method: 'device.list',
    kind: 'read',
    params,
    run: async () => {
      let devices = env.services.registry.list(toDeviceFilter(env.services, filter as DeviceFilterParams));
      if (capability !== undefined) {
        const wanted = capability.toLowerCase();
        devices = devices.filter((d) => capabilityNames(capabilitiesOf(d)).some((c) => c.toLowerCase() === wanted));
      }
      devices.sort((a, b) => a.hardwareId.localeCompare(b.hardwareId));
      const page = devices.slice(offset, offset + limit);
      return {
        total: devices.length,
        devices: page.map(row),
        ...(offset + limit < devices.length && { next_cursor: String(offset + limit) }),
      };
    },
  };
}

function row(d: Device): Record<string, unknown> {
  return { id: d.id, hardware_id: d.hardwareId, name: d.name, type: d.type, model: d.model, zone: d.zone, status: d.status };
}
