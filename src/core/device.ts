/** Device model: an MCU, or a sensor / actuator attached to one, with static schema and dynamic state. */

/** What a device is. Sensors and actuators always belong to an MCU. */
export const DEVICE_TYPES = ['mcu', 'sensor', 'actuator'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** Lifecycle state. `offline` = missed its heartbeat window or its connection dropped. */
export const DEVICE_STATUSES = ['online', 'offline', 'deregistered'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** Device protocols a device can speak; one physical device may speak several. */
export const DEVICE_PROTOCOLS = ['native', 'sparkplug', 'lwm2m'] as const;
export type DeviceProtocol = (typeof DEVICE_PROTOCOLS)[number];

/** Fields an operator sets with `device.update`; the device's own registrations (re-register, rebirth) leave them alone. */
export const OPERATOR_FIELDS = ['name', 'zone', 'tags', 'description'] as const;
export type OperatorField = (typeof OPERATOR_FIELDS)[number];

/** JSON object as announced by a device (validated against `schemas/` before it gets here). */
export type JsonObject = { [key: string]: unknown };

/** A registered device, as the registry keeps it. */
export interface Device {
  /** Deterministic UUID derived from `hardwareId` (see device-id.ts). */
  readonly id: string;
  /** Stable hardware identity: MQTT client id / Sparkplug edge node id / LwM2M endpoint, or `{mcu}/{bus}:{address}` for a sensor. */
  readonly hardwareId: string;
  readonly type: DeviceType;
  /** UUID of the MCU a sensor or actuator is attached to; null for an MCU. */
  readonly parentId: string | null;
  readonly name: string;
  readonly manufacturer: string;
  readonly model: string;
  /** Semantic version of the static schema the device announced, e.g. "1.0.0". */
  readonly schemaVersion: string;
  readonly staticSchema: JsonObject;
  /** Latest dynamic state document (status, uptime, resources / readings, calibration, health). */
  readonly dynamicState: JsonObject;
  readonly tags: readonly string[];
  readonly zone: string | null;
  /** Free text an operator wrote about the device (where it hangs, what it watches); absent when none. */
  readonly description?: string;
  /** Which of name, zone, tags and description an operator set; absent or empty when none. */
  readonly operatorFields?: readonly OperatorField[];
  readonly status: DeviceStatus;
  readonly protocols: readonly DeviceProtocol[];
  /** Milliseconds since epoch. */
  readonly registeredAt: number;
  readonly lastSeen: number;
  /** Heartbeat window for this device in ms; null = hub default. */
  readonly heartbeatIntervalMs: number | null;
}

/** The optional operator fields of a stored device: absent when there is no description / no operator field. */
export function operatorMetadata(description: string | null, operatorFields: readonly OperatorField[]): Pick<Device, 'description' | 'operatorFields'> {
  return {
    ...(description !== null && { description }),
    ...(operatorFields.length > 0 && { operatorFields }),
  };
}
