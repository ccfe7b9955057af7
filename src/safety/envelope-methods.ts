/** envelope.list: the safety envelopes as declared, and what applies to one device (datasheet narrowed by policy). */
import { Type } from '@sinclair/typebox';
import { resolveDevice, type HubServices } from '../app/services.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { DeviceRef, JsonObjectSchema } from '../rpc/wire.ts';
import type { EnvelopeGuard } from './envelope-guard.ts';

export function envelopeMethods(services: HubServices, guard: EnvelopeGuard): MethodDefinition[] {
  return [
    defineMethod({
      name: 'envelope.list',
      summary: 'The safety envelopes every device write must stay inside: as declared in the policy file, and, for one device, the effective one (datasheet ranges narrowed by policy, rate limits, interlocks, quiet hours, batch cap).',
      kind: 'read',
      tags: ['envelope'],
      params: Type.Object({ device_id: Type.Optional(DeviceRef) }),
      result: Type.Object({
        time_zone: Type.String({ description: 'IANA time zone of quiet hours' }),
        envelopes: Type.Array(JsonObjectSchema, { description: 'as declared, in policy-file order' }),
        device: Type.Optional(
          Type.Object({
            device_id: Type.String(),
            hardware_id: Type.String(),
            envelopes: Type.Array(Type.String(), { description: 'names of the declared envelopes that match it' }),
            config: Type.Record(Type.String(), JsonObjectSchema, { description: 'per config key: minimum, maximum, allowed_values, read_only, sources (datasheet and envelope names)' }),
            rate_limits: Type.Array(JsonObjectSchema),
            interlocks: Type.Array(JsonObjectSchema),
            quiet_hours: Type.Array(JsonObjectSchema),
            max_batch_devices: Type.Optional(Type.Object({ max: Type.Integer(), envelope: Type.String() })),
          }),
        ),
      }),
      async handler(params) {
        const { policy } = guard;
        const declared = policy.envelopes.map((e) => ({ ...e }) as Record<string, unknown>);
        if (params.device_id === undefined) return { time_zone: policy.timeZone, envelopes: declared };
        const device = resolveDevice(services, params.device_id);
        // Plain JSON (the envelope types have no index signature).
        const { time_zone: _zone, ...effective } = JSON.parse(JSON.stringify(guard.effective(device))) as {
          time_zone: string;
          envelopes: string[];
          config: Record<string, Record<string, unknown>>;
          rate_limits: Record<string, unknown>[];
          interlocks: Record<string, unknown>[];
          quiet_hours: Record<string, unknown>[];
          max_batch_devices?: { max: number; envelope: string };
        };
        return { time_zone: policy.timeZone, envelopes: declared, device: { device_id: device.id, hardware_id: device.hardwareId, ...effective } };
      },
    }),
  ];
}
