/** batch.execute: one command against every matching device, with a result for each — none skipped silently. */
import { Type } from '@sinclair/typebox';
import type { Device } from '../core/device.ts';
import { toRpcErrorObject } from '../core/errors.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { DeviceRef, JsonObjectSchema, Uuid } from '../rpc/wire.ts';
import { DeviceFilterParams, selectDevices } from './filter-params.ts';
import type { HubServices } from './services.ts';

/** Methods a batch may run, and which id param names the target. */
export const BATCH_TARGETS: Readonly<Record<string, 'mcu_id' | 'sensor_id'>> = {
  'mcu.get_status': 'mcu_id',
  'mcu.get_config': 'mcu_id',
  'mcu.set_config': 'mcu_id',
  'mcu.reboot': 'mcu_id',
  'mcu.upload_program': 'mcu_id',
  'mcu.execute_script': 'mcu_id',
  'sensor.scan_bus': 'mcu_id',
  'sensor.read': 'sensor_id',
  'sensor.read_raw': 'sensor_id',
  'sensor.configure': 'sensor_id',
  'sensor.calibrate': 'sensor_id',
  'sensor.reset': 'sensor_id',
  'sensor.health': 'sensor_id',
};

const ItemResult = Type.Object({
  device_id: Uuid,
  name: Type.String(),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) })),
});

export function batchMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'batch.execute',
      summary: 'Run one command on every device that matches device_ids and/or a filter, e.g. configure all soil sensors to low-power mode.',
      description:
        `method is one of ${Object.keys(BATCH_TARGETS).join(', ')}. Each device gets its own result; devices of the wrong type or offline are reported as failed. ` +
        'A selection that matches no device fails with NO_DEVICE_MATCHED (-32014) rather than succeeding on nothing. ' +
        "The caller needs method's role as well (mcu.reboot, mcu.execute_script: admin): below it the batch is refused whole with FORBIDDEN (-32031) before any device is selected or sent anything.",
      kind: 'write',
      tags: ['batch', 'command'],
      params: Type.Object({
        method: Type.Union(Object.keys(BATCH_TARGETS).map((m) => Type.Literal(m))),
        params: Type.Optional(JsonObjectSchema),
        device_ids: Type.Optional(Type.Array(DeviceRef, { maxItems: 10_000 })),
        filter: Type.Optional(DeviceFilterParams),
        concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, default: 16 })),
        timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
      }),
      result: Type.Object({
        method: Type.String(),
        total: Type.Integer(),
        succeeded: Type.Integer(),
        failed: Type.Integer(),
        results: Type.Array(ItemResult),
      }),
      // The caller needs params.method's role too: the dispatcher refuses the whole batch up front (FORBIDDEN, audited as denied).
      runsMethod: (params) => params.method,
      async handler(params, context) {
        const devices = selectDevices(services, 'batch.execute', params.device_ids, params.filter);
        const idParam = BATCH_TARGETS[params.method] as 'mcu_id' | 'sensor_id';
        // The safety envelopes' device cap, before any device is written (src/safety).
        services.executor.admitBatch(params.method, devices);
        const results = new Array<typeof ItemResult.static>(devices.length);
        let next = 0;
        const worker = async (): Promise<void> => {
          for (let i = next++; i < devices.length; i = next++) {
            const device = devices[i] as Device;
            try {
              const call = { ...params.params, [idParam]: device.id, ...(params.timeout_ms !== undefined && { timeout_ms: params.timeout_ms }) };
              const result = await services.invoke(params.method, call, context);
              results[i] = { device_id: device.id, name: device.name, status: 'succeeded', result };
            } catch (error) {
              results[i] = { device_id: device.id, name: device.name, status: 'failed', error: toRpcErrorObject(error) };
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(params.concurrency ?? 16, devices.length) }, worker));
        const succeeded = results.filter((r) => r.status === 'succeeded').length;
        return { method: params.method, total: results.length, succeeded, failed: results.length - succeeded, results };
      },
    }),
  ];
}
