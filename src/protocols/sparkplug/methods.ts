/** device.write_metric: write one metric a Sparkplug edge node or device announced in its BIRTH (an NCMD / DCMD). */
import { Type } from '@sinclair/typebox';
import type { Device } from '../../core/device.ts';
import { HubError } from '../../core/errors.ts';
import { dataTypeId } from './codec/datatypes.ts';
import { MetricWriteError, toWriteValue } from './host/index.ts';
import { defineMethod, type MethodDefinition } from '../../rpc/method.ts';
import { DeviceRef, JsonObjectSchema } from '../../rpc/wire.ts';
import { AsyncAccepted, CommandOptions, runCommand } from '../../app/command-runner.ts';
import { resolveDevice, type HubServices } from '../../app/services.ts';

const WriteResultWire = Type.Object({
  sent: Type.Boolean({ description: 'the command was published (Sparkplug commands get no reply)' }),
  confirmed: Type.Boolean({ description: 'the device reported the written value in a DATA message within the confirmation window' }),
  written: JsonObjectSchema,
});

/** The BIRTH datatype of `metric` as the device's static schema records it (`sparkplug.metrics`), or undefined. */
function birthDatatype(device: Device, metric: string): number | undefined {
  const extension = device.staticSchema['sparkplug'];
  const metrics = extension !== null && typeof extension === 'object' ? (extension as { metrics?: unknown }).metrics : undefined;
  if (!Array.isArray(metrics)) return undefined;
  for (const entry of metrics as unknown[]) {
    const { name, datatype } = (entry ?? {}) as { name?: unknown; datatype?: unknown };
    if (name === metric && typeof datatype === 'string') return dataTypeId(datatype);
  }
  return undefined;
}

export function sparkplugMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'device.write_metric',
      summary: 'Write one metric of a Sparkplug edge node or device (e.g. a setpoint or output) by the name its BIRTH announced.',
      description:
        'Sent as an NCMD (edge node) or DCMD (device) carrying the metric with its BIRTH datatype and alias. Sparkplug commands get no reply: ' +
        'the result is {sent: true, confirmed} where confirmed says whether the device reported the new value within a short window.',
      kind: 'write',
      tags: ['device', 'command', 'sparkplug'],
      params: Type.Object({
        device_id: DeviceRef,
        metric: Type.String({ minLength: 1, description: 'metric name as in the BIRTH, e.g. "Outputs/Setpoint"' }),
        value: Type.Union([Type.Number(), Type.Boolean(), Type.String()], { description: 'typed as the metric: an integer, number, boolean, string, or decimal text for 64-bit integers' }),
        ...CommandOptions,
      }),
      result: Type.Union([WriteResultWire, AsyncAccepted]),
      examples: [{ name: 'change a setpoint', params: { device_id: 'line-1-plc/pump-3', metric: 'Outputs/Setpoint', value: 42.5 } }],
      async handler(params, context) {
        const device = resolveDevice(services, params.device_id);
        if (!device.protocols.includes('sparkplug')) {
          throw new HubError('UNSUPPORTED_OPERATION', `device.write_metric is not supported by device ${device.id}: it does not speak Sparkplug`, { device_id: device.id });
        }
        const datatype = birthDatatype(device, params.metric);
        if (datatype === undefined) {
          throw new HubError('UNSUPPORTED_OPERATION', `metric ${JSON.stringify(params.metric)} is not in the BIRTH of device ${device.id}`, {
            device_id: device.id,
            metric: params.metric,
          });
        }
        try {
          toWriteValue(params.metric, datatype, params.value);
        } catch (error) {
          if (!(error instanceof MetricWriteError)) throw error;
          if (error.kind === 'unsupported') throw new HubError('UNSUPPORTED_OPERATION', error.message, { device_id: device.id, metric: params.metric });
          throw new HubError('INVALID_PARAMS', `Invalid params: ${error.message}`, { issues: [{ path: '/value', message: error.message }] });
        }
        const result = await runCommand(services, device, 'device.write_metric', { metric: params.metric, value: params.value }, { timeout_ms: params.timeout_ms, async: params.async }, context);
        return result as { sent: boolean; confirmed: boolean; written: Record<string, unknown> };
      },
    }),
  ];
}
