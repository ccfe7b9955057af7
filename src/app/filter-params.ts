/** Device-filter params shared by device.list, data.*, batch.execute; converted once to a core DeviceFilter. */
import { Type, type Static } from '@sinclair/typebox';
import type { Device } from '../core/device.ts';
import type { DeviceFilter } from '../core/device-filter.ts';
import { HubError } from '../core/errors.ts';
import { DeviceRef, DeviceTypeSchema, StatusSchema } from '../rpc/wire.ts';
import { resolveDevice, type HubServices } from './services.ts';

export const DeviceFilterParams = Type.Object({
  type: Type.Optional(DeviceTypeSchema),
  manufacturer: Type.Optional(Type.String({ description: 'e.g. "Bosch"' })),
  model: Type.Optional(Type.String({ description: 'e.g. "BMP580", "ESP32-S3"' })),
  status: Type.Optional(StatusSchema),
  tags: Type.Optional(Type.Array(Type.String(), { description: 'every tag must be present' })),
  zone: Type.Optional(Type.String({ description: 'e.g. "Zone A"' })),
  name: Type.Optional(Type.String({ description: 'the whole device name, case-insensitive' })),
  parent_id: Type.Optional(DeviceRef),
  protocol: Type.Optional(Type.Union([Type.Literal('native'), Type.Literal('sparkplug'), Type.Literal('lwm2m')])),
  measurement_type: Type.Optional(Type.String({ description: 'devices declaring this measurement, e.g. "temperature"' })),
  search: Type.Optional(Type.String({ description: 'substring of name, hardware id, manufacturer, model or description' })),
}, {
  // Closed like every params object (rpc/closed-schema.ts), and never empty: `{}` or a misspelt key
  // must not silently mean "every device". Omit `filter` to select the whole fleet where a method allows it.
  minProperties: 1,
  description: 'Every field given must match; at least one field. Unknown keys are refused.',
});
export type DeviceFilterParams = Static<typeof DeviceFilterParams>;

/** Convert wire filter params (resolving parent_id) to a core DeviceFilter. */
export function toDeviceFilter(services: HubServices, params: DeviceFilterParams): DeviceFilter {
  return {
    ...(params.type !== undefined && { type: params.type }),
    ...(params.manufacturer !== undefined && { manufacturer: params.manufacturer }),
    ...(params.model !== undefined && { model: params.model }),
    ...(params.status !== undefined && { status: params.status }),
    ...(params.tags !== undefined && { tags: params.tags }),
    ...(params.zone !== undefined && { zone: params.zone }),
    ...(params.name !== undefined && { name: params.name }),
    ...(params.parent_id !== undefined && { parentId: resolveDevice(services, params.parent_id).id }),
    ...(params.protocol !== undefined && { protocol: params.protocol }),
    ...(params.measurement_type !== undefined && { measurementType: params.measurement_type }),
    ...(params.search !== undefined && { search: params.search }),
  };
}

/**
 * NO_DEVICE_MATCHED for a selection that was valid but selected nothing, echoing what was asked, so
 * "configure all soil sensors" over a fleet with none says so instead of succeeding on zero devices.
 */
export function noDeviceMatched(filter: DeviceFilterParams | undefined, deviceIds?: readonly string[]): HubError {
  const asked = [filter === undefined ? '' : `filter ${JSON.stringify(filter)}`, deviceIds === undefined ? '' : `device_ids ${JSON.stringify(deviceIds)}`]
    .filter(Boolean)
    .join(' and ');
  return new HubError('NO_DEVICE_MATCHED', `No device matched: ${asked || 'empty selection'}`, {
    ...(filter !== undefined && { filter }),
    ...(deviceIds !== undefined && { device_ids: deviceIds }),
  });
}

/** True when any filter field is set (an empty filter must not silently select the whole fleet for writes). */
export function hasFilter(params: DeviceFilterParams): boolean {
  return Object.values(params).some((v) => v !== undefined);
}

/**
 * The devices `device_ids` and/or `filter` select (batch.execute, grant.create): INVALID_PARAMS when
 * neither is given (an empty selection must not mean the whole fleet), DEVICE_NOT_FOUND for an
 * unknown id, NO_DEVICE_MATCHED when nothing is selected.
 */
export function selectDevices(services: HubServices, method: string, deviceIds: readonly string[] | undefined, filter: DeviceFilterParams | undefined): Device[] {
  if (deviceIds === undefined && !(filter && hasFilter(filter))) {
    throw new HubError('INVALID_PARAMS', `Invalid params: ${method} needs device_ids or a non-empty filter`, {
      issues: [{ path: '/filter', message: 'give device_ids or at least one filter field' }],
    });
  }
  const selected = new Map<string, Device>();
  for (const ref of deviceIds ?? []) {
    const device = resolveDevice(services, ref);
    selected.set(device.id, device);
  }
  if (filter && hasFilter(filter)) for (const device of services.registry.list(toDeviceFilter(services, filter))) selected.set(device.id, device);
  if (selected.size === 0) throw noDeviceMatched(filter, deviceIds);
  return [...selected.values()];
}
