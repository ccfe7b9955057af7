/**
 * What the resources contain (JSON): the fleet list, one device's document, one device's telemetry.
 * Built from the same JSON-RPC methods the tools call (device.get, data.latest, data.query), so a
 * resource and a tool never disagree.
 */
import type { Device } from '../core/device.ts';
import type { CallContext } from '../rpc/method.ts';
import type { HubServices } from '../app/services.ts';
import { iso } from '../rpc/wire.ts';

/** Window and bucket of the telemetry resource's aggregate. */
export const TELEMETRY_WINDOW = { last: '24h', interval: '1h', aggregation: 'avg' } as const;

function fleetEntry(d: Device): Record<string, unknown> {
  return {
    device_id: d.id,
    hardware_id: d.hardwareId,
    name: d.name,
    type: d.type,
    manufacturer: d.manufacturer,
    model: d.model,
    zone: d.zone,
    status: d.status,
    protocols: [...d.protocols],
    parent_id: d.parentId,
    tags: [...d.tags],
  };
}

/** Every active device, in registry order, with counts by status. */
export function fleetDocument(services: HubServices): Record<string, unknown> {
  const devices = services.registry.list();
  const byStatus: Record<string, number> = {};
  for (const d of devices) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
  return { generated_at: iso(services.now()), total: devices.length, by_status: byStatus, devices: devices.map(fleetEntry) };
}

/** The device and the devices attached to it: their readings belong in its documents. */
function family(services: HubServices, device: Device): Device[] {
  return [device, ...services.registry.children(device.id)];
}

/** device.get (static schema, dynamic state, status, attached ids) plus attached-device summaries and latest readings. */
export async function deviceDocument(services: HubServices, device: Device, context: CallContext): Promise<Record<string, unknown>> {
  const base = (await services.invoke('device.get', { device_id: device.id }, context)) as Record<string, unknown>;
  const members = family(services, device);
  const latest = (await services.invoke('data.latest', { device_ids: members.map((d) => d.id) }, context)) as { readings: unknown[] };
  return {
    ...base,
    attached_devices: members.slice(1).map((d) => ({ device_id: d.id, hardware_id: d.hardwareId, type: d.type, model: d.model, status: d.status })),
    latest_readings: latest.readings,
  };
}

/** Latest value of every measurement, and hourly averages over the last 24 hours, for the device and its attached devices. */
export async function telemetryDocument(services: HubServices, device: Device, context: CallContext): Promise<Record<string, unknown>> {
  const ids = family(services, device).map((d) => d.id);
  const latest = (await services.invoke('data.latest', { device_ids: ids }, context)) as { readings: unknown[] };
  const history = (await services.invoke(
    'data.query',
    { device_ids: ids, time_range: { last: TELEMETRY_WINDOW.last }, aggregation: TELEMETRY_WINDOW.aggregation, interval: TELEMETRY_WINDOW.interval },
    context,
  )) as { series: unknown[]; time_range: unknown };
  return {
    device_id: device.id,
    hardware_id: device.hardwareId,
    device_ids: ids,
    generated_at: iso(services.now()),
    latest: latest.readings,
    hourly_average: { window: TELEMETRY_WINDOW.last, interval: TELEMETRY_WINDOW.interval, time_range: history.time_range, series: history.series },
  };
}
