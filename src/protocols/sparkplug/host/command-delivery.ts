// Hub commands → NCMD / DCMD. Sparkplug has no command reply: a write completes `succeeded` with
// {sent: true, confirmed} once the node reported the new values or the confirmation window ran
// out; a reboot completes with {sent: true, rebooting: true} as soon as it is published.

import type { CommandRecord } from '../../../core/command.ts';
import type { Device, JsonObject } from '../../../core/device.ts';
import { errorObject, type ErrorCode } from '../../../core/errors.ts';
import type { MqttBus } from '../../../core/ports/mqtt-bus.ts';
import type { SparkplugScalarValue } from '../codec/types.ts';
import { commandTopic, REBOOT_METRIC, writePayload, type MetricWrite } from './command-payloads.ts';
import type { HostContext, HostSession } from './host-context.ts';
import type { MetricCatalog } from './metric-catalog.ts';
import { MetricWriteError, toWriteValue } from './metric-write.ts';

/** Methods an edge node (MCU) takes over Sparkplug. */
export const NODE_METHODS: ReadonlySet<string> = new Set(['mcu.set_config', 'mcu.reboot', 'device.write_metric']);
/** Methods a Sparkplug device (sensor) takes. */
export const DEVICE_METHODS: ReadonlySet<string> = new Set(['sensor.configure', 'device.write_metric']);

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

class CommandRefused extends Error {
  readonly code: ErrorCode;
  readonly data: JsonObject | undefined;

  constructor(code: ErrorCode, message: string, data?: JsonObject) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/** The metric name → JSON value pairs a command writes. */
function requestedWrites(command: CommandRecord): JsonObject {
  const params = command.params;
  if (command.method === 'mcu.reboot') return { [REBOOT_METRIC]: true };
  if (command.method === 'device.write_metric') {
    const metric = params['metric'];
    if (typeof metric !== 'string' || metric === '') throw new CommandRefused('UNSUPPORTED_OPERATION', 'device.write_metric needs a metric name');
    return { [metric]: params['value'] };
  }
  const config = params['config'];
  if (config === null || typeof config !== 'object' || Array.isArray(config) || Object.keys(config).length === 0) {
    throw new CommandRefused('UNSUPPORTED_OPERATION', `${command.method} over Sparkplug needs a config object naming BIRTH metrics`);
  }
  return config as JsonObject;
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

/** Publish a command for `target` (the edge node) about `command.deviceId` (the node or one of its devices). */
export async function deliverCommand(ctx: HostContext, options: DeliveryOptions, target: Device, command: CommandRecord): Promise<void> {
  const session = options.sessionOf(target.hardwareId);
  let sessionKey: string | undefined;
  try {
    if (session === undefined || !session.born) throw new CommandRefused('DEVICE_OFFLINE', `device offline: edge node ${target.hardwareId} has no live Sparkplug session`);
    let deviceId: string | undefined;
    let catalog = session.node;
    let label = `edge node ${session.edgeNodeId}`;
    if (command.deviceId !== target.id) {
      const device = ctx.registry.get(command.deviceId);
      const prefix = `${session.edgeNodeId}/`;
      if (device === undefined || !device.hardwareId.startsWith(prefix)) {
        throw new CommandRefused('UNSUPPORTED_OPERATION', `${command.method} is not supported by device ${command.deviceId}: not a Sparkplug device of ${session.edgeNodeId}`);
      }
      deviceId = device.hardwareId.slice(prefix.length);
      const deviceSession = session.devices.get(deviceId);
      if (deviceSession === undefined || !deviceSession.alive) throw new CommandRefused('DEVICE_OFFLINE', `device offline: ${command.deviceId} (Sparkplug device ${deviceId} has no live DBIRTH)`);
      catalog = deviceSession.catalog;
      label = `device ${deviceId}`;
    }
    const wanted = requestedWrites(command);
    const writes = typedWrites(catalog, wanted, label);
    const now = ctx.now();
    const topic = commandTopic(session.groupId, session.edgeNodeId, deviceId);
    if (command.method !== 'mcu.reboot') {
      const expected = new Map<string, SparkplugScalarValue>(writes.map((w) => [w.definition.name, w.value]));
      const window = Math.max(1, Math.min(options.confirmWindowMs, Math.floor(command.timeoutMs / 2)));
      sessionKey = session.key;
      ctx.confirmations.track(session.key, command.id, deviceId, expected, wanted, window);
    }
    await options.bus.publish(topic, Buffer.from(writePayload(now, writes)), { qos: 0, retain: false });
    ctx.logger.debug({ groupId: session.groupId, edgeNodeId: session.edgeNodeId, deviceId, commandId: command.id, method: command.method }, 'sparkplug: command sent');
    if (command.method === 'mcu.reboot') {
      // After deliver returns, so the command is recorded `sent` before it succeeds.
      setImmediate(() => ctx.ingress.completed(command.id, target.id, { result: { sent: true, rebooting: true } }));
    }
  } catch (error) {
    if (sessionKey !== undefined) ctx.confirmations.cancel(sessionKey, command.id);
    if (!(error instanceof CommandRefused)) throw error;
    ctx.ingress.completed(command.id, target.id, { error: errorObject(error.code, error.message, error.data) });
  }
}
