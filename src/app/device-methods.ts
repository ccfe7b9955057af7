/** device.* methods: registration, heartbeat, deregistration, lookup and listing. */
import { Type } from '@sinclair/typebox';
import { attachedHardwareId } from '../core/device-id.ts';
import { HubError } from '../core/errors.ts';
import { notOwnDevice } from '../rpc/device-access.ts';
import { defineMethod, type CallContext, type MethodDefinition } from '../rpc/method.ts';
import { DeviceRef, DeviceTypeSchema, DeviceWire, deviceToWire, JsonObjectSchema, StatusSchema, Uuid } from '../rpc/wire.ts';
import { DeviceFilterParams, toDeviceFilter } from './filter-params.ts';
import { resolveDevice, resolveTyped, type HubServices } from './services.ts';

const RegisterResult = Type.Object({
  device_id: Uuid,
  hardware_id: Type.String(),
  status: StatusSchema,
  created: Type.Boolean({ description: 'false when an already-known device re-registered (same UUID)' }),
  schema_version: Type.String(),
  heartbeat_interval: Type.Number({ description: 'seconds between heartbeats the hub expects' }),
  unknown_fields: Type.Optional(Type.Array(Type.String())),
});

/** The MCU speaking on this MQTT connection, when the caller is a device. */
export function callerMcu(services: HubServices, context: CallContext) {
  return context.clientId === undefined ? undefined : services.registry.getByHardwareId(context.clientId);
}

export function deviceMethods(services: HubServices): MethodDefinition[] {
  const { registry } = services;
  return [
    defineMethod({
      name: 'device.register',
      summary: 'Register an MCU (or an attached sensor/actuator) with its static hardware schema; returns its UUID.',
      description:
        'The UUID is derived from the hardware id, so re-registering returns the same device. hardware_id defaults to the MQTT client id, ' +
        'then static_schema.serial_number / mac_address; over HTTP and WebSocket one of them is required (a call without any is refused, ' +
        'never given a made-up id). For a sensor or actuator give parent_id (the MCU).',
      kind: 'write',
      tags: ['device', 'device-side'],
      deviceAccess: { self: ['hardware_id', 'parent_id'] },
      params: Type.Object({
        device_type: DeviceTypeSchema,
        static_schema: JsonObjectSchema,
        schema_version: Type.Optional(Type.String({ description: 'semantic version of the static schema, default newest' })),
        hardware_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^#+\\s]+$' })),
        parent_id: Type.Optional(DeviceRef),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        tags: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
        zone: Type.Optional(Type.String({ maxLength: 100 })),
        heartbeat_interval: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400, description: 'seconds' })),
        dynamic_state: Type.Optional(JsonObjectSchema),
      }),
      result: RegisterResult,
      async handler(params, context) {
        const isMcu = params.device_type === 'mcu';
        const parent = params.parent_id === undefined ? undefined : resolveTyped(services, params.parent_id, ['mcu'], 'parent_id');
        if (!isMcu && !parent) {
          throw new HubError('INVALID_PARAMS', `Invalid params: a ${params.device_type} needs parent_id (its MCU)`, {
            issues: [{ path: '/parent_id', message: `required for device_type ${params.device_type}` }],
          });
        }
        // A device registers itself as an MCU (its sensors it may name under its own id).
        if (isMcu && context.clientId !== undefined && params.hardware_id !== undefined && params.hardware_id !== context.clientId) {
          throw notOwnDevice('device.register', context.clientId, '/hardware_id', params.hardware_id);
        }
        const schema = params.static_schema;
        const hardwareId =
          params.hardware_id ??
          (isMcu ? (context.clientId ?? hardwareIdFromSchema(schema)) : parent && attachedId(parent, schema)) ??
          missingHardwareId(
            isMcu
              ? `over ${context.transport} (give hardware_id, or static_schema.serial_number / mac_address)`
              : 'when static_schema.communication names no bus and address',
          );
        const { device, created, unknownFields } = await services.ingress.announce({
          hardwareId,
          type: params.device_type,
          parentId: parent?.id ?? null,
          staticSchema: schema,
          protocol: 'native',
          ...announcedMetadata(params),
          // Whole milliseconds (the stores keep an integer): 1.0005 s is 1001 ms, and anything above 0 is at least 1 ms.
          ...(params.heartbeat_interval !== undefined && { heartbeatIntervalMs: Math.max(1, Math.round(params.heartbeat_interval * 1000)) }),
          ...(params.dynamic_state !== undefined && { dynamicState: params.dynamic_state }),
        });
        return {
          device_id: device.id,
          hardware_id: device.hardwareId,
          status: device.status,
          created,
          schema_version: device.schemaVersion,
          heartbeat_interval: (device.heartbeatIntervalMs ?? services.heartbeatIntervalS * 1000) / 1000,
          ...(unknownFields.length > 0 && { unknown_fields: [...unknownFields] }),
        };
      },
    }),
    defineMethod({
      name: 'device.heartbeat',
      summary: 'Tell the hub a device is alive, optionally with its current dynamic state (status, uptime, resources).',
      kind: 'write',
      tags: ['device', 'device-side'],
      deviceAccess: { self: ['device_id'] },
      params: Type.Object({
        device_id: Type.Optional(DeviceRef),
        dynamic_state: Type.Optional(JsonObjectSchema),
      }),
      result: Type.Object({ device_id: Uuid, status: StatusSchema, heartbeat_interval: Type.Number() }),
      async handler(params, context) {
        const device =
          params.device_id !== undefined
            ? resolveDevice(services, params.device_id)
            : (callerMcu(services, context) ?? missingDevice('device_id is required when the caller is not a registered MQTT device'));
        services.ingress.seen(device.id, params.dynamic_state === undefined ? undefined : { document: params.dynamic_state, pathPrefix: '/dynamic_state' });
        const current = registry.require(device.id);
        return {
          device_id: current.id,
          status: current.status,
          heartbeat_interval: (current.heartbeatIntervalMs ?? services.heartbeatIntervalS * 1000) / 1000,
        };
      },
    }),
    defineMethod({
      name: 'device.deregister',
      summary: 'Remove a device (and the sensors attached to it) from the active fleet; its history is kept.',
      kind: 'destructive',
      tags: ['device', 'device-side'],
      deviceAccess: { self: ['device_id'] },
      params: Type.Object({ device_id: DeviceRef }),
      result: Type.Object({ device_id: Uuid, status: StatusSchema, removed: Type.Array(Uuid) }),
      async handler(params) {
        const device = resolveDevice(services, params.device_id);
        const removed = [device.id, ...registry.children(device.id).map((c) => c.id)];
        await services.ingress.removed(device.id);
        for (const id of removed) services.cache.forget(id);
        return { device_id: device.id, status: 'deregistered' as const, removed };
      },
    }),
    defineMethod({
      name: 'device.get',
      summary: 'One device with its static schema, dynamic state, status, zone, tags and attached devices.',
      kind: 'read',
      tags: ['device'],
      params: Type.Object({ device_id: DeviceRef }),
      result: Type.Object({ ...DeviceWire.properties, attached: Type.Array(Uuid) }),
      async handler(params) {
        const device = resolveDevice(services, params.device_id);
        return { ...deviceToWire(device), attached: registry.children(device.id).map((c) => c.id) };
      },
    }),
    defineMethod({
      name: 'device.list',
      summary: 'List devices, filtered by type, manufacturer/model, status, tags, zone, parent MCU or measurement type.',
      kind: 'read',
      tags: ['device'],
      params: Type.Object({
        ...DeviceFilterParams.properties,
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        include_schema: Type.Optional(Type.Boolean({ default: true, description: 'false omits static_schema and dynamic_state' })),
      }),
      result: Type.Object({ devices: Type.Array(DeviceWire), total: Type.Integer() }),
      async handler(params) {
        const all = registry.list(toDeviceFilter(services, params));
        const offset = params.offset ?? 0;
        const page = all.slice(offset, offset + (params.limit ?? 1000)).map(deviceToWire);
        const devices = params.include_schema === false ? page.map((d) => ({ ...d, static_schema: {}, dynamic_state: {} })) : page;
        return { devices, total: all.length };
      },
    }),
    defineMethod({
      name: 'device.offline',
      summary: 'Sent by a device (usually as its MQTT will) when it goes away; the hub marks it offline.',
      kind: 'write',
      tags: ['device', 'device-side'],
      deviceAccess: { self: ['device_id'] },
      params: Type.Object({ device_id: Type.Optional(DeviceRef) }),
      result: Type.Object({ device_id: Uuid, status: StatusSchema }),
      async handler(params, context) {
        const device =
          params.device_id !== undefined
            ? resolveDevice(services, params.device_id)
            : (callerMcu(services, context) ?? missingDevice('device_id is required when the caller is not a registered MQTT device'));
        services.ingress.disconnected(device.id, 'device sent device.offline');
        return { device_id: device.id, status: registry.require(device.id).status };
      },
    }),
  ];
}

/** The optional parts of a native announcement (device.register, sensor.discover) given as params. */
export function announcedMetadata(params: { schema_version?: string; name?: string; tags?: string[]; zone?: string }) {
  return {
    ...(params.schema_version !== undefined && { schemaVersion: params.schema_version }),
    ...(params.name !== undefined && { name: params.name }),
    ...(params.tags !== undefined && { tags: params.tags }),
    ...(params.zone !== undefined && { zone: params.zone }),
  };
}

function missingDevice(message: string): never {
  throw new HubError('INVALID_PARAMS', `Invalid params: ${message}`, { issues: [{ path: '/device_id', message }] });
}

/**
 * No hardware id given or derivable: refuse. A made-up id would register a new, unreachable device on
 * every call (over HTTP or WebSocket nothing identifies the caller the way an MQTT client id does).
 */
export function missingHardwareId(reason: string): never {
  const message = `required ${reason}`;
  throw new HubError('INVALID_PARAMS', `Invalid params: hardware_id is ${message}`, { issues: [{ path: '/hardware_id', message }] });
}

function hardwareIdFromSchema(schema: Record<string, unknown>): string | undefined {
  for (const key of ['serial_number', 'mac_address', 'hardware_id']) {
    const value = schema[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** `{mcu}/{bus}:{address}` from static_schema.communication (I2C/SPI address or analog pin). */
export function attachedId(mcu: { hardwareId: string }, schema: Record<string, unknown>): string | undefined {
  const comm = schema['communication'];
  if (comm === null || typeof comm !== 'object') return undefined;
  const c = comm as Record<string, unknown>;
  const bus = typeof c['primary_protocol'] === 'string' ? c['primary_protocol'].toLowerCase() : undefined;
  if (!bus) return undefined;
  const section = c[bus === '1-wire' ? 'one_wire' : bus];
  const detail = section !== null && typeof section === 'object' ? (section as Record<string, unknown>) : {};
  const address = detail['address'] ?? detail['pin'] ?? detail['chip_select'] ?? detail['cs_pin'];
  const model = typeof schema['model'] === 'string' ? schema['model'] : 'device';
  const where = typeof address === 'number' ? `0x${address.toString(16).padStart(2, '0')}` : typeof address === 'string' ? address : model;
  return attachedHardwareId(mcu.hardwareId, bus, where);
}
