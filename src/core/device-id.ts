/** Deterministic device UUIDs: the same hardware id always yields the same UUID (RFC 9562 v5). */
import { v5 as uuidv5, validate } from 'uuid';
import { hasLoneSurrogate } from './json-limits.ts';

/** Namespace UUID of llm-iot device ids (fixed forever: changing it re-keys every fleet). */
export const DEVICE_NAMESPACE = '6f1c2a4e-8d3b-5e7f-9a10-2b4c6d8e0f12';

export function deviceIdFor(hardwareId: string): string {
  return uuidv5(hardwareId, DEVICE_NAMESPACE);
}

/** Hardware id of a sensor or actuator on an MCU bus, e.g. `esp32-a1/i2c:0x47`, `pico-2/adc:26`. */
export function attachedHardwareId(mcuHardwareId: string, bus: string, address: string): string {
  return `${mcuHardwareId}/${bus.toLowerCase()}:${address.toLowerCase()}`;
}

/** Longest hardware id the hub accepts (MQTT topics and usernames carry it). */
export const MAX_HARDWARE_ID_LENGTH = 200;

/**
 * What makes a hardware id unusable, if anything. It becomes part of MQTT topic names (`llmiot/v1/{id}/down`),
 * a broker username and a stored key, so it may not hold control characters (MQTT forbids U+0000 in a topic,
 * and a device that registers with one could never be sent a command), MQTT wildcards or lone surrogates.
 */
export function hardwareIdProblem(hardwareId: string): string | undefined {
  if (hardwareId.length === 0) return 'must not be empty';
  if (hardwareId.length > MAX_HARDWARE_ID_LENGTH) return `must be at most ${MAX_HARDWARE_ID_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(hardwareId)) return 'must not contain control characters';
  if (/[#+]/.test(hardwareId)) return "must not contain the MQTT wildcards '#' or '+'";
  if (hasLoneSurrogate(hardwareId)) return 'is not well-formed Unicode (lone surrogate)';
  return undefined;
}

export function isUuid(text: string): boolean {
  return validate(text);
}
