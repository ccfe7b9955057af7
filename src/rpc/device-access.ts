/**
 * The device side of the method registry: a device calling on its own up topic may use only the
 * methods that declare `deviceAccess`, and only about itself and its attached devices.
 */
import { HubError } from '../core/errors.ts';
import type { CallContext, MethodDefinition } from './method.ts';

/** What the dispatcher needs to check device calls (the hub gives it the registry's view). */
export interface DeviceAccessCheck {
  /** Whether the device with MQTT client id `clientId` is, or carries, the device `ref` (UUID or hardware id). */
  owns(clientId: string, ref: string): boolean;
}

/** Without a hub-provided check a device owns only its own hardware id (fail closed). */
const OWN_ID_ONLY: DeviceAccessCheck = { owns: (clientId, ref) => clientId === ref };

/**
 * Refuse a device calling a method that is not for devices (before its params are even read). The
 * transport counts the refusal from the error it answers (or the failed notification it is told of).
 */
export function checkDeviceMethod(definition: MethodDefinition, context: CallContext): void {
  if (context.clientId === undefined || definition.deviceAccess !== undefined) return;
  throw new HubError('METHOD_NOT_ALLOWED', `Method not allowed for a device: ${definition.name}`, { method: definition.name });
}

/** Refuse a device naming, in the params its method declares, a device other than itself or one attached to it. */
export function checkDeviceParams(definition: MethodDefinition, params: unknown, context: CallContext, check: DeviceAccessCheck = OWN_ID_ONLY): void {
  const clientId = context.clientId;
  if (clientId === undefined || definition.deviceAccess === undefined || typeof params !== 'object' || params === null) return;
  for (const param of definition.deviceAccess.self) {
    const ref = (params as Record<string, unknown>)[param];
    if (typeof ref !== 'string' || check.owns(clientId, ref)) continue;
    throw notOwnDevice(definition.name, clientId, `/${param}`, ref);
  }
}

/** METHOD_NOT_ALLOWED for a device naming `ref` at `param` when it is not itself or attached to it. */
export function notOwnDevice(method: string, clientId: string, param: string, ref: string): HubError {
  return new HubError('METHOD_NOT_ALLOWED', `Method not allowed for a device: ${method} about ${ref}, which is not ${clientId} or attached to it`, {
    method,
    param,
    device: ref,
  });
}
