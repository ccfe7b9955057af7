// Hub commands → NCMD / DCMD, or answers from the host's state. Sparkplug has no command reply:
// a write completes `succeeded` once the node reported the new values or the confirmation window
// ran out; a control (reboot, device reset / calibrate) as soon as it is published; a read at once
// from the current metric values (generic-methods.ts has the method mapping).

import type { CommandRecord } from '../../../core/command.ts';
import type { Device, JsonObject } from '../../../core/device.ts';
import { errorObject } from '../../../core/errors.ts';
import type { MqttBus } from '../../../core/ports/mqtt-bus.ts';
import type { SparkplugScalarValue } from '../codec/types.ts';
import { commandTopic, writePayload, type MetricWrite } from './command-payloads.ts';
import { CommandRefused } from './command-refused.ts';
import type { DeviceSession } from './edge-node-session.ts';
import { GENERIC_DEVICE_METHODS, GENERIC_NODE_METHODS, planGenericMethod, type GenericPlan } from './generic-methods.ts';
import type { HostContext, HostSession } from './host-context.ts';
import type { MetricCatalog } from './metric-catalog.ts';
import { MetricWriteError, toWriteValue } from './metric-write.ts';

/** Methods an edge node (MCU) takes over Sparkplug. */
export const NODE_METHODS: ReadonlySet<string> = new Set([...GENERIC_NODE_METHODS, 'device.write_metric']);
/** Methods a Sparkplug device (sensor) takes. */
export const DEVICE_METHODS: ReadonlySet<string> = new Set([...GENERIC_DEVICE_METHODS, 'device.write_metric']);
/** Methods answered for a device after its DDEATH (from its STALE values). */
const DEAD_DEVICE_METHODS: ReadonlySet<string> = new Set(['sensor.health']);

/** Whether the Sparkplug channel carries `method` to `device` (it must speak Sparkplug). */
export function supportsCommand(device: Device, method: string): boolean {
  if (!device.protocols.includes('sparkplug')) return false;
  return (device.parentId === null ? NODE_METHODS : DEVICE_METHODS).has(method);
}

export interface DeliveryOptions {
  readonly bus: MqttBus;
  /** The born session of an edge node, by edge_node_id. */
  readonly sessionOf: (edgeNodeId: string) => HostSession | undefined;
  /** Longest wait for a written value to be reported back (capped at half the command timeout). */
  readonly confirmWindowMs: number;
}

/** The metric name → JSON value pairs `device.write_metric` writes. */
function writeMetricPlan(command: CommandRecord): GenericPlan {
  const metric = command.params['metric'];
  if (typeof metric !== 'string' || metric === '') throw new CommandRefused('UNSUPPORTED_OPERATION', 'device.write_metric needs a metric name');
  return { kind: 'write', writes: { [metric]: command.params['value'] }, shape: (outcome) => ({ ...outcome }) };
}

/** Type each write against the BIRTH; an unknown metric or an unfit value refuses the whole command. */
function typedWrites(catalog: MetricCatalog, wanted: JsonObject, label: string): MetricWrite[] {
  return Object.entries(wanted).map(([name, value]) => {
    const definition = catalog.byName(name);
    if (definition === undefined) {
      throw new CommandRefused('UNSUPPORTED_OPERATION', `metric ${JSON.stringify(name)} is not in the BIRTH of ${label}`, { metric: name });
    }
    try {
      return { definition, value: toWriteValue(name, definition.datatype, value) };
    } catch (error) {
      if (error instanceof MetricWriteError) throw new CommandRefused('UNSUPPORTED_OPERATION', error.message, { metric: name });
      throw error;
    }
  });
}

/** The Sparkplug device a command is about (undefined: the edge node itself). */
function deviceOf(ctx: HostContext, session: HostSession, target: Device, command: CommandRecord): DeviceSession | undefined {
  if (command.deviceId === target.id) return undefined;
  const device = ctx.registry.get(command.deviceId);
  const prefix = `${session.edgeNodeId}/`;
  if (device === undefined || !device.hardwareId.startsWith(prefix)) {
    throw new CommandRefused('UNSUPPORTED_OPERATION', `${command.method} is not supported by device ${command.deviceId}: not a Sparkplug device of ${session.edgeNodeId}`);
  }
  const deviceId = device.hardwareId.slice(prefix.length);
  const deviceSession = session.devices.get(deviceId);
  if (deviceSession === undefined || (!deviceSession.alive && !DEAD_DEVICE_METHODS.has(command.method))) {
    throw new CommandRefused('DEVICE_OFFLINE', `device offline: ${command.deviceId} (Sparkplug device ${deviceId} has no live DBIRTH)`);
  }
  return deviceSession;
}

/** Publish a command for `target` (the edge node) about `command.deviceId` (the node or one of its devices). */
export async function deliverCommand(ctx: HostContext, options: DeliveryOptions, target: Device, command: CommandRecord): Promise<void> {
  const session = options.sessionOf(target.hardwareId);
  let sessionKey: string | undefined;
  try {
    if (session === undefined || !session.born) throw new CommandRefused('DEVICE_OFFLINE', `device offline: edge node ${target.hardwareId} has no live Sparkplug session`);
    const device = deviceOf(ctx, session, target, command);
    const now = ctx.now();
    const plan =
      command.method === 'device.write_metric' ? writeMetricPlan(command) : planGenericMethod(command.method, command.params, { session, device, hubId: command.deviceId, now });
    if (plan === undefined) throw new CommandRefused('UNSUPPORTED_OPERATION', `${command.method} is not supported over Sparkplug`);
    if (plan.kind === 'answer') {
      // After deliver returns, so the command is recorded `sent` before it succeeds.
      setImmediate(() => ctx.ingress.completed(command.id, target.id, { result: plan.result }));
      return;
    }
    const catalog = device?.catalog ?? session.node;
    const writes = typedWrites(catalog, plan.writes, device === undefined ? `edge node ${session.edgeNodeId}` : `device ${device.deviceId}`);
    const topic = commandTopic(session.groupId, session.edgeNodeId, device?.deviceId);
    sessionKey = session.key;
    if (plan.kind === 'write') {
      const expected = new Map<string, SparkplugScalarValue>(writes.map((w) => [w.definition.name, w.value]));
      const window = Math.max(1, Math.min(options.confirmWindowMs, Math.floor(command.timeoutMs / 2)));
      ctx.confirmations.track(session.key, command.id, device?.deviceId, expected, plan.writes, window, plan.shape);
    } else {
      // Tracked before publishing: the node may die (reboot) before the publish resolves.
      ctx.controls.track(session.key, command.id, plan.result);
    }
    await options.bus.publish(topic, Buffer.from(writePayload(now, writes)), { qos: 0, retain: false });
    ctx.logger.debug({ groupId: session.groupId, edgeNodeId: session.edgeNodeId, deviceId: device?.deviceId, commandId: command.id, method: command.method }, 'sparkplug: command sent');
    // After deliver returns, so the command is recorded `sent` before it succeeds.
    if (plan.kind === 'control') setImmediate(() => ctx.controls.settle(command.id));
  } catch (error) {
    if (sessionKey !== undefined) {
      ctx.confirmations.cancel(sessionKey, command.id);
      ctx.controls.cancel(command.id);
    }
    if (!(error instanceof CommandRefused)) throw error;
    ctx.ingress.completed(command.id, target.id, { error: errorObject(error.code, error.message, error.data) });
  }
}
