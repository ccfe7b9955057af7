/** device.update: an operator's name, zone, tags and description for any device, whatever protocol it speaks. */
import { Type } from '@sinclair/typebox';
import { OPERATOR_FIELDS } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { DeviceRef, DeviceWire, deviceToWire, Uuid } from '../rpc/wire.ts';
import { resolveDevice, type HubServices } from './services.ts';

export function metadataMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'device.update',
      summary: 'Set the name, zone, tags or description of a device (native, LwM2M, Sparkplug or dual); filters use them.',
      description:
        'Only the fields given change; null clears zone or description. What an operator sets here stays when the device ' +
        're-registers or rebirths. A zone also moves the attached sensors and actuators whose zone no operator set.',
      kind: 'write',
      tags: ['device'],
      params: Type.Object({
        device_id: DeviceRef,
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        zone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'e.g. "Zone A"; null clears it' })),
        tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: 'replaces the tag list' })),
        description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: 'free text; null clears it' })),
      }),
      result: Type.Object({
        device: DeviceWire,
        updated: Type.Array(Type.String(), { description: 'the fields this call set' }),
        moved: Type.Array(Uuid, { description: 'attached devices whose zone followed' }),
      }),
      examples: [{ name: 'move a node to Zone B', params: { device_id: 'sim-esp32-s3-001', zone: 'Zone B', tags: ['greenhouse', 'north'] } }],
      async handler(params) {
        const updated = OPERATOR_FIELDS.filter((field) => params[field] !== undefined);
        if (updated.length === 0) {
          const message = `give at least one of ${OPERATOR_FIELDS.join(', ')}`;
          throw new HubError('INVALID_PARAMS', `Invalid params: nothing to update: ${message}`, { issues: [{ path: '', message }] });
        }
        const device = resolveDevice(services, params.device_id);
        const { device: after, children } = await services.registry.updateMetadata(device.id, {
          ...(params.name !== undefined && { name: params.name }),
          ...(params.zone !== undefined && { zone: params.zone }),
          ...(params.tags !== undefined && { tags: params.tags }),
          ...(params.description !== undefined && { description: params.description }),
        });
        return { device: deviceToWire(after), updated: [...updated], moved: children.map((c) => c.id) };
      },
    }),
  ];
}
