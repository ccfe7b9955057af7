/** Which devices a device speaking on its own MQTT connection may name: itself and the devices attached to it. */
import type { DeviceLookup } from '../core/device-ingress.ts';
import { isUuid } from '../core/device-id.ts';

/**
 * `owns(clientId, ref)` for the dispatcher's device check. A registered device (any status, so a
 * deregistered one cannot be taken over) is owned when it is the caller or its parent is. A hardware
 * id not registered yet is owned when it is the caller's or under it (`{caller}/{bus}:{address}`, how
 * attached devices are named). A UUID that names no device is let through: it creates nothing, and
 * the method answers DEVICE_NOT_FOUND as it would to anyone.
 */
export function deviceOwnership(registry: Pick<DeviceLookup, 'get' | 'getByHardwareId'>): (clientId: string, ref: string) => boolean {
  return (clientId, ref) => {
    const device = (isUuid(ref) ? registry.get(ref) : undefined) ?? registry.getByHardwareId(ref);
    if (device === undefined) return isUuid(ref) || ref === clientId || ref.startsWith(`${clientId}/`);
    if (device.hardwareId === clientId) return true;
    return device.parentId !== null && registry.get(device.parentId)?.hardwareId === clientId;
  };
}
