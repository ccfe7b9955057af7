/** lwm2m.* methods: LwM2M 1.2 device management operations, checked against the object model, run as commands. */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { Device } from '../../core/device.ts';
import { HubError } from '../../core/errors.ts';
import { Lwm2mOperationError } from './errors/lwm2m-operation-error.ts';
import { Lwm2mPathError } from './errors/lwm2m-path-error.ts';
import { Lwm2mValueError } from './errors/lwm2m-value-error.ts';
import { ObjectModel } from './object-model.ts';
import { buildDownlink, type Lwm2mOperationType } from './adapter/downlink-request.ts';
import { defineMethod, type MethodDefinition, type MethodKind } from '../../rpc/method.ts';
import { DeviceRef } from '../../rpc/wire.ts';
import { AsyncAccepted, CommandOptions, compact, runCommand } from '../../app/command-runner.ts';
import { resolveDevice, type HubServices } from '../../app/services.ts';

const Path = Type.String({ minLength: 2, maxLength: 32, pattern: '^/', description: 'LwM2M path /object[/instance[/resource[/resource-instance]]], e.g. "/3303/0/5700"' });
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** What every operation answers (2.xx); a 4.xx / 5.xx answer is a DEVICE_ERROR with `data.device_error.data.coap_code`. */
const OperationResult = Type.Object({
  path: Type.String(),
  code: Type.String({ description: 'CoAP response code, e.g. "2.05"' }),
  code_msg: Type.String({ description: 'code name, e.g. "content", "changed"' }),
  content: Type.Optional(Type.Array(Type.Object({ path: Type.String(), value: Scalar }), { description: 'read / observe: typed values' })),
  value: Type.Optional(Scalar),
  links: Type.Optional(Type.Array(Type.Object({ path: Type.String(), attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean()])) }))),
  location: Type.Optional(Type.String({ description: 'create: the new instance, when the device says' })),
});

interface OperationSpec {
  readonly name: string;
  readonly msgType: Lwm2mOperationType;
  readonly summary: string;
  readonly kind: MethodKind;
  readonly params: TProperties;
  readonly example: Record<string, unknown>;
}

const SPECS: readonly OperationSpec[] = [
  { name: 'lwm2m.read', msgType: 'read', kind: 'read', summary: 'Read an object, instance or resource of a LwM2M device (e.g. /3303/0/5700 temperature); values come back typed.', params: {}, example: { path: '/3303/0/5700' } },
  { name: 'lwm2m.discover', msgType: 'discover', kind: 'read', summary: 'List the resources and attributes of a LwM2M object or instance (CoRE links).', params: {}, example: { path: '/3/0' } },
  {
    name: 'lwm2m.write',
    msgType: 'write',
    kind: 'write',
    summary: "Write a resource (or several of an instance, value = {resource id: value}); the value is converted to the resource's LwM2M type.",
    params: { value: Type.Unknown({ description: 'resource value; for an instance path an object of resource id → value' }) },
    example: { path: '/3/0/13', value: '2025-09-30T10:35:00Z' },
  },
  {
    name: 'lwm2m.write_attributes',
    msgType: 'write-attr',
    kind: 'write',
    summary: 'Set notification attributes: pmin/pmax (seconds), gt/lt thresholds and st step (numeric resources).',
    params: {
      pmin: Type.Optional(Type.Integer({ minimum: 0 })),
      pmax: Type.Optional(Type.Integer({ minimum: 0 })),
      gt: Type.Optional(Type.Number()),
      lt: Type.Optional(Type.Number()),
      st: Type.Optional(Type.Number({ minimum: 0 })),
    },
    example: { path: '/3303/0/5700', pmin: 10, pmax: 60, st: 0.5 },
  },
  {
    name: 'lwm2m.execute',
    msgType: 'execute',
    kind: 'destructive',
    summary: 'Execute a resource (e.g. /3/0/4 Reboot, /3303/0/5605 Reset Min/Max), with optional text arguments.',
    params: { args: Type.Optional(Type.String({ maxLength: 1024 })) },
    example: { path: '/3303/0/5605' },
  },
  {
    name: 'lwm2m.create',
    msgType: 'create',
    kind: 'write',
    summary: 'Create an object instance (/o, or /o/i to choose its id) with initial resource values {resource id: value}.',
    params: { values: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
    example: { path: '/3303/1', values: { '5750': 'Indoor' } },
  },
  { name: 'lwm2m.delete', msgType: 'delete', kind: 'destructive', summary: 'Delete an object instance /o/i; its attached device is deregistered.', params: {}, example: { path: '/3303/1' } },
  {
    name: 'lwm2m.observe',
    msgType: 'observe',
    kind: 'write',
    summary: 'Observe a path: returns the current value now, and every notification is stored as telemetry until cancel_observe.',
    params: {},
    example: { path: '/3303/0/5700' },
  },
  { name: 'lwm2m.cancel_observe', msgType: 'cancel-observe', kind: 'write', summary: 'Stop observing a path.', params: {}, example: { path: '/3303/0/5700' } },
];

export function lwm2mMethods(services: HubServices): MethodDefinition[] {
  const model = new ObjectModel();
  return SPECS.map((spec) => {
    const params = Type.Object({ device_id: DeviceRef, path: Path, ...spec.params, ...CommandOptions });
    const result = Type.Union([OperationResult, AsyncAccepted]);
    return defineMethod({
      name: spec.name,
      summary: spec.summary,
      description:
        "Sent to the device's LwM2M endpoint on lwm2m/{endpoint}/dn and answered on up/resp; recorded as a command. " +
        'Paths and values are checked against the object model first (-32602 naming the path). device_id is the MCU or one of its attached IPSO devices.',
      kind: spec.kind,
      tags: ['lwm2m', 'command'],
      params,
      result,
      examples: [{ name: spec.name.slice('lwm2m.'.length), params: { device_id: 'device-temp-001', ...spec.example } as Static<typeof params> }],
      async handler(params, context) {
        const { device_id, timeout_ms, async, ...rest } = params as Record<string, unknown> & { device_id: string; timeout_ms?: number; async?: boolean };
        const device = resolveDevice(services, device_id);
        const operation = compact(rest);
        checkOperation(model, spec.msgType, operation, mcuOf(services, device));
        return (await runCommand(services, device, spec.name, operation, { timeout_ms, async }, context)) as Static<typeof result>;
      },
    });
  });
}

function mcuOf(services: HubServices, device: Device): Device {
  return device.parentId === null ? device : (services.registry.get(device.parentId) ?? device);
}

// Validate with the same builder the adapter sends with; object-model errors become -32602 naming the path.
function checkOperation(model: ObjectModel, msgType: Lwm2mOperationType, params: Record<string, unknown>, mcu: Device): void {
  const lwm2m = mcu.staticSchema['lwm2m'];
  const custom = typeof lwm2m === 'object' && lwm2m !== null ? (lwm2m as Record<string, unknown>)['unknown_objects'] : undefined;
  const customObjects = new Set(Array.isArray(custom) ? custom.filter((id): id is number => typeof id === 'number') : []);
  try {
    buildDownlink(msgType, params, { model, customObjects });
  } catch (error) {
    if (!(error instanceof Lwm2mPathError || error instanceof Lwm2mValueError || error instanceof Lwm2mOperationError)) throw error;
    const field = error instanceof Lwm2mValueError ? ({ write: '/value', create: '/values', execute: '/args' } as Record<string, string>)[msgType] ?? '' : '/path';
    throw new HubError('INVALID_PARAMS', `Invalid params: ${error.message}`, { issues: [{ path: field, message: error.message }], lwm2m_path: error.path });
  }
}
