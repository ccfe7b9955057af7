/** Deterministic device UUIDs: the same hardware id always yields the same UUID (RFC 9562 v5). */
import { v5 as uuidv5, validate } from 'uuid';

/** Namespace UUID of llm-iot device ids (fixed forever: changing it re-keys every fleet). */
export const DEVICE_NAMESPACE = '6f1c2a4e-8d3b-5e7f-9a10-2b4c6d8e0f12';

export function deviceIdFor(hardwareId: string): string {
  return uuidv5(hardwareId, DEVICE_NAMESPACE);
}

/** Hardware id of a sensor or actuator on an MCU bus, e.g. `esp32-a1/i2c:0x47`, `pico-2/adc:26`. */
export function attachedHardwareId(mcuHardwareId: string, bus: string, address: string): string {
  return `${mcuHardwareId}/${bus.toLowerCase()}:${address.toLowerCase()}`;
}

export function isUuid(text: string): boolean {
  return validate(text);
}
