/** Params of the device's own requests: `device.register` for the MCU and `sensor.discover` for each sensor. */
import type { AttachedSensor } from './attached-sensor.ts';
import type { BoardProfile } from './board-profiles.ts';
import type { JsonObject } from './sensor-model.ts';
import { SCHEMA_VERSION } from './sensor-schemas.ts';

/** Who the MCU is and where it stands. */
export interface McuIdentity {
  readonly hardwareId: string;
  readonly board: BoardProfile;
  readonly name: string | undefined;
  readonly zone: string | undefined;
  readonly tags: readonly string[];
}

/** `device.register` params: the board's static schema, its hardware id (= MQTT client id), name, zone and tags. */
export function registerParams(mcu: McuIdentity): JsonObject {
  return {
    device_type: 'mcu',
    static_schema: mcu.board.staticSchema,
    schema_version: SCHEMA_VERSION,
    hardware_id: mcu.hardwareId,
    name: mcu.name ?? `${mcu.board.label} ${mcu.hardwareId}`,
    tags: [...mcu.tags],
    ...(mcu.zone === undefined ? {} : { zone: mcu.zone }),
  };
}

/**
 * `sensor.discover` params. The hardware id is sent explicitly (`{mcu}/{bus}:{address}`, the hub's own default),
 * so a re-attached sensor gets its old sensor id back.
 */
export function discoverParams(mcu: McuIdentity, mcuId: string, sensor: AttachedSensor): JsonObject {
  return {
    mcu_id: mcuId,
    static_schema: sensor.staticSchema,
    schema_version: SCHEMA_VERSION,
    hardware_id: sensor.hardwareId,
    name: sensor.name,
    tags: [...mcu.tags],
    ...(mcu.zone === undefined ? {} : { zone: mcu.zone }),
  };
}
