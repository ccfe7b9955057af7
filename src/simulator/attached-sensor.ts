/** A sensor wired to a simulated MCU: its model, bus position, hardware id and the id the hub gave it. */
import { attachedHardwareId } from '../core/device-id.ts';
import { As5600Model, type As5600Options } from './as5600-model.ts';
import type { BoardProfile } from './board-profiles.ts';
import { Bmp580Model, type Bmp580Options } from './bmp580-model.ts';
import { seedFromString } from './random.ts';
import type { JsonObject, SensorKind, SensorModel } from './sensor-model.ts';
import { as5600Schema, bmp580Schema, soilMoistureSchema } from './sensor-schemas.ts';
import { SimulatorError } from './simulator-error.ts';
import { SoilMoistureModel, type SoilMoistureOptions } from './soil-moisture-model.ts';

/** How one sensor is wired and set up. A bare kind (`'bmp580'`) takes the defaults. */
export type SensorSpec =
  | { readonly kind: 'bmp580'; readonly address?: '0x46' | '0x47'; readonly seed?: number; readonly options?: Omit<Bmp580Options, 'seed'> }
  | { readonly kind: 'as5600'; readonly seed?: number; readonly options?: Omit<As5600Options, 'seed'> }
  | { readonly kind: 'soil-moisture'; readonly pin?: string; readonly seed?: number; readonly options?: Omit<SoilMoistureOptions, 'seed' | 'adcBits'> };

/** One sensor on an MCU. `sensorId` is null until the hub answered `sensor.discover`. */
export class AttachedSensor {
  readonly kind: SensorKind;
  /** Lower case, as in hardware ids and the mcu-dynamic schema's `connected_devices[].bus`. */
  readonly bus: 'i2c' | 'analog';
  /** `0x47` on I2C; the pin label (`GPIO1`, `GP26`, `A0`) on an ADC input. */
  readonly address: string;
  /** `{mcu hardware id}/{bus}:{address}`, the same on every re-attach, so the hub keeps the sensor id. */
  readonly hardwareId: string;
  readonly name: string;
  readonly model: SensorModel;
  readonly staticSchema: JsonObject;
  sensorId: string | null = null;
  attached = true;
  /** Readings taken (telemetry and `sensor.read`) since the simulator started. */
  readingsCount = 0;
  /** Failed discoveries and other errors of this sensor. */
  errorCount = 0;
  lastCalibration: string | null = null;

  constructor(init: { kind: SensorKind; bus: 'i2c' | 'analog'; address: string; mcuHardwareId: string; model: SensorModel; staticSchema: JsonObject }) {
    this.kind = init.kind;
    this.bus = init.bus;
    this.address = init.address;
    this.hardwareId = attachedHardwareId(init.mcuHardwareId, init.bus, init.address);
    this.model = init.model;
    this.staticSchema = init.staticSchema;
    this.name = `${String(init.staticSchema['model'])} @ ${init.bus}:${init.address}`;
  }

  /** True when `id` is this sensor's hub id or hardware id. */
  matches(id: string): boolean {
    return id === this.sensorId || id === this.hardwareId;
  }
}

/** Build the sensors of one MCU; checks I2C address clashes and that the board has enough ADC pins. */
export function createAttachedSensors(mcuHardwareId: string, board: BoardProfile, specs: readonly (SensorKind | SensorSpec)[], seed: number): AttachedSensor[] {
  const usedAddresses = new Set<string>();
  const freePins = [...board.soilPins];
  return specs.map((entry) => {
    const spec: SensorSpec = typeof entry === 'string' ? ({ kind: entry } as SensorSpec) : entry;
    const take = (address: string): string => {
      if (usedAddresses.has(address)) throw new SimulatorError('INVALID_OPTIONS', `I2C address clash: ${address} on ${mcuHardwareId}`);
      usedAddresses.add(address);
      return address;
    };
    const hardwareSeed = (bus: string, address: string): number => (spec.seed ?? (seed ^ seedFromString(`${mcuHardwareId}/${bus}:${address}`))) >>> 0;
    switch (spec.kind) {
      case 'bmp580': {
        const address = take(spec.address ?? (usedAddresses.has('0x47') ? '0x46' : '0x47'));
        const model = new Bmp580Model({ ...spec.options, seed: hardwareSeed('i2c', address) });
        return new AttachedSensor({ kind: 'bmp580', bus: 'i2c', address, mcuHardwareId, model, staticSchema: bmp580Schema(address) });
      }
      case 'as5600': {
        const address = take('0x36');
        const model = new As5600Model({ ...spec.options, seed: hardwareSeed('i2c', address) });
        return new AttachedSensor({ kind: 'as5600', bus: 'i2c', address, mcuHardwareId, model, staticSchema: as5600Schema() });
      }
      case 'soil-moisture': {
        const pin = spec.pin ?? freePins[0];
        if (pin === undefined || !freePins.includes(pin)) {
          throw new SimulatorError('INVALID_OPTIONS', `No free ADC pin for a soil probe on ${mcuHardwareId} (${board.label} pins: ${board.soilPins.join(', ')})`);
        }
        freePins.splice(freePins.indexOf(pin), 1);
        const model = new SoilMoistureModel({ ...spec.options, seed: hardwareSeed('analog', pin), adcBits: board.adcBits });
        const schema = soilMoistureSchema(pin, board.adcBits, spec.options?.dryHigh ?? false);
        return new AttachedSensor({ kind: 'soil-moisture', bus: 'analog', address: pin, mcuHardwareId, model, staticSchema: schema });
      }
    }
  });
}
