/** Shared path of every forwarded command method: sync (await the device) or async (return a command id). */
import { Type } from '@sinclair/typebox';
import type { CommandOrigin } from '../core/command.ts';
import type { Device, JsonObject } from '../core/device.ts';
import type { CallContext } from '../rpc/method.ts';
import type { HubServices } from './services.ts';

/** Options every forwarded command accepts. */
export const CommandOptions = {
  timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000, description: 'how long to wait for the device (default hub setting)' })),
  async: Type.Optional(Type.Boolean({ description: 'true: return {command_id, state} at once; poll with command.get' })),
};

/** Result of an async command submission. */
export const AsyncAccepted = Type.Object({
  command_id: Type.String(),
  state: Type.String({ description: 'pending | sent | failed (failed when it could not be sent)' }),
});

export function originOf(context: CallContext): CommandOrigin {
  return {
    transport: context.transport,
    ...(context.principal !== undefined && { principal: context.principal.id }),
    ...(context.chain !== undefined && { chain: context.chain }),
  };
}

/** Send `method` to `device` (through its MCU for sensors) and return the device's result or the async receipt. */
export async function runCommand(
  services: HubServices,
  device: Device,
  method: string,
  params: JsonObject,
  options: { timeout_ms?: number | undefined; async?: boolean | undefined },
  context: CallContext,
): Promise<unknown> {
  const request = {
    deviceId: device.id,
    method,
    params,
    origin: originOf(context),
    ...(options.timeout_ms !== undefined && { timeoutMs: options.timeout_ms }),
  };
  if (options.async) {
    const record = await services.executor.submit(request);
    return { command_id: record.id, state: record.state };
  }
  return services.executor.execute(request);
}

/** Drop undefined values so JSON params stay clean. */
export function compact(object: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}
