/** device.summary: device counts by status, type, protocol, zone and model, for overviews that must not list 10,000 devices. */
import { Type } from '@sinclair/typebox';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { DeviceFilterParams, toDeviceFilter } from './filter-params.ts';
import type { HubServices } from './services.ts';

const Counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

/** Zone counts use this key for devices without a zone (JSON object keys cannot be null). */
export const NO_ZONE = '(none)';

export function fleetSummaryMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'device.summary',
      summary: 'Count devices by status, type, protocol, zone and model, optionally within a filter (same fields as device.list).',
      description: `A device speaking two protocols counts once under each. Devices without a zone count under "${NO_ZONE}".`,
      kind: 'read',
      tags: ['device'],
      params: Type.Object({ filter: Type.Optional(DeviceFilterParams) }),
      result: Type.Object({
        total: Type.Integer({ minimum: 0 }),
        by_status: Counts,
        by_type: Counts,
        by_protocol: Counts,
        by_zone: Counts,
        by_model: Counts,
      }),
      async handler(params) {
        const devices = services.registry.list(params.filter === undefined ? {} : toDeviceFilter(services, params.filter));
        const byStatus: Record<string, number> = {};
        const byType: Record<string, number> = {};
        const byProtocol: Record<string, number> = {};
        const byZone: Record<string, number> = {};
        const byModel: Record<string, number> = {};
        const bump = (counts: Record<string, number>, key: string): void => {
          counts[key] = (counts[key] ?? 0) + 1;
        };
        for (const device of devices) {
          bump(byStatus, device.status);
          bump(byType, device.type);
          for (const protocol of device.protocols) bump(byProtocol, protocol);
          bump(byZone, device.zone ?? NO_ZONE);
          bump(byModel, device.model);
        }
        return { total: devices.length, by_status: byStatus, by_type: byType, by_protocol: byProtocol, by_zone: byZone, by_model: byModel };
      },
    }),
  ];
}
