/** The documents the simulator announces validate against schemas/, and sensor settings match their static schemas. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaValidator } from '../../src/schema/schema-validator.ts';
import { As5600Model, BOARD_IDS, BOARD_PROFILES, Bmp580Model, SCHEMA_VERSION, SimulatedMcu, SoilMoistureModel, as5600Schema, bmp580Schema, soilMoistureSchema, type SensorModel } from '../../src/simulator/index.ts';

const schemas = new SchemaValidator();

describe('simulator schemas', () => {
  it('declares the schema version the hub knows', () => {
    assert.ok(schemas.knownVersions('mcu-static').includes(SCHEMA_VERSION));
  });

  for (const board of BOARD_IDS) {
    it(`${board}: the static schema is a valid mcu-static document, the dynamic state a valid mcu-dynamic one`, () => {
      const validation = schemas.validate('mcu-static', BOARD_PROFILES[board].staticSchema, SCHEMA_VERSION);
      assert.deepEqual(validation.unknownFields, []);
      const mcu = new SimulatedMcu({ hardwareId: `schema-${board}`, board, url: 'mqtt://127.0.0.1:1' });
      assert.deepEqual(schemas.validate('mcu-dynamic', mcu.status(), SCHEMA_VERSION).unknownFields, []);
    });
  }

  const sensors: [string, Record<string, unknown>, SensorModel][] = [
    ['BMP580 at 0x47', bmp580Schema('0x47'), new Bmp580Model({ seed: 1 })],
    ['BMP580 at 0x46', bmp580Schema('0x46'), new Bmp580Model({ seed: 1 })],
    ['AS5600', as5600Schema(), new As5600Model({ seed: 1 })],
    ['resistive soil probe', soilMoistureSchema('GP26', 12, false), new SoilMoistureModel({ seed: 1 })],
    ['capacitive soil probe', soilMoistureSchema('A0', 12, true), new SoilMoistureModel({ seed: 1, dryHigh: true })],
  ];
  for (const [name, schema, model] of sensors) {
    it(`${name}: valid sensor-static document whose configuration_options are exactly the model's settings and defaults`, () => {
      assert.deepEqual(schemas.validate('sensor-static', schema, SCHEMA_VERSION).unknownFields, []);
      const options = schema['configuration_options'] as Record<string, { default?: unknown; allowed_values?: unknown[] }>;
      const config = model.config();
      assert.deepEqual(Object.keys(options).sort(), Object.keys(config).sort());
      for (const [key, option] of Object.entries(options)) {
        assert.equal(option.default, config[key], `default of ${key}`);
        if (option.allowed_values !== undefined) assert.ok(option.allowed_values.includes(config[key]), `${key} default is allowed`);
      }
      const modes = (schema['power'] as { modes: { name: string }[] }).modes.map((m) => m.name);
      assert.ok(modes.includes(model.powerMode()), 'the power mode is one of power.modes');
      const measured = model.read(Date.UTC(2025, 5, 1)).map((r) => `${r.measurement_type}:${r.unit}`);
      const declared = (schema['measurements'] as { measurement_type: string; unit: string }[]).map((m) => `${m.measurement_type}:${m.unit}`);
      assert.deepEqual(measured.sort(), declared.sort(), 'readings are the declared measurements, in the declared units');
    });
  }
});
