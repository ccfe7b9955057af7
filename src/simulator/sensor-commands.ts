/** Hub→device sensor commands: read, raw read, configure, calibrate, reset, bus scan and health. */
import type { CommandContext } from './command-context.ts';
import { optionalString, optionalStringArray, requiredObject, requiredString } from './command-params.ts';
import { DeviceRpcError } from './device-rpc-error.ts';
import type { JsonObject } from './sensor-model.ts';

const BUSES = ['i2c', 'spi', 'all'] as const;

/** `sensor.read {sensor_id, measurement_types?}` → `{sensor_id, timestamp, readings}`. */
export function read(ctx: CommandContext, params: JsonObject): JsonObject {
  const sensor = ctx.sensor(requiredString(params, 'sensor_id'));
  const wanted = optionalStringArray(params, 'measurement_types');
  const now = ctx.now();
  const all = sensor.model.read(now);
  const readings = wanted === undefined ? all : all.filter((r) => wanted.includes(r.measurement_type));
  if (readings.length === 0) {
    throw DeviceRpcError.invalidParams('No such measurement: ' + (wanted ?? []).join(', '), [
      { path: 'measurement_types', message: `this sensor measures ${all.map((r) => r.measurement_type).join(', ')}` },
    ]);
  }
  sensor.readingsCount += readings.length;
  return { sensor_id: sensor.sensorId, timestamp: new Date(now).toISOString(), readings };
}

/** `sensor.read_raw {sensor_id}` → `{sensor_id, timestamp, raw}` (register values or ADC counts). */
export function readRaw(ctx: CommandContext, params: JsonObject): JsonObject {
  const sensor = ctx.sensor(requiredString(params, 'sensor_id'));
  const now = ctx.now();
  return { sensor_id: sensor.sensorId, timestamp: new Date(now).toISOString(), raw: sensor.model.readRaw(now) };
}

/** `sensor.configure {sensor_id, config}` → `{sensor_id, config}` with the full configuration now in force. */
export function configure(ctx: CommandContext, params: JsonObject): JsonObject {
  const sensor = ctx.sensor(requiredString(params, 'sensor_id'));
  return { sensor_id: sensor.sensorId, config: sensor.model.configure(requiredObject(params, 'config')) };
}

/** `sensor.calibrate {sensor_id, reference?, method?}` → `{sensor_id, calibration_status, timestamp, …}`. */
export function calibrate(ctx: CommandContext, params: JsonObject): JsonObject {
  const sensor = ctx.sensor(requiredString(params, 'sensor_id'));
  const method = optionalString(params, 'method');
  const now = ctx.now();
  const result = sensor.model.calibrate(now, { reference: params['reference'], ...(method === undefined ? {} : { method }) });
  sensor.lastCalibration = new Date(now).toISOString();
  return { sensor_id: sensor.sensorId, ...result, timestamp: sensor.lastCalibration };
}

/** `sensor.reset {sensor_id}` → `{sensor_id, reset: true}`; configuration and volatile calibration back to defaults. */
export function reset(ctx: CommandContext, params: JsonObject): JsonObject {
  const sensor = ctx.sensor(requiredString(params, 'sensor_id'));
  sensor.model.reset();
  return { sensor_id: sensor.sensorId, reset: true, config: sensor.model.config() };
}

/** `sensor.scan_bus {bus?}` → `{devices:[{bus, address, manufacturer, model}]}`: what answers on the bus now. */
export function scanBus(ctx: CommandContext, params: JsonObject): JsonObject {
  const bus = (optionalString(params, 'bus') ?? 'all').toLowerCase();
  if (!(BUSES as readonly string[]).includes(bus)) {
    throw DeviceRpcError.invalidParams(`Invalid params: bus ${bus}`, [{ path: 'bus', message: 'must be "i2c", "spi" or "all"' }]);
  }
  // Every simulated bus sensor sits on I2C; analog probes are not on a scannable bus.
  const devices = ctx
    .sensors()
    .filter((s) => s.bus === 'i2c' && bus !== 'spi')
    .sort((a, b) => parseInt(a.address, 16) - parseInt(b.address, 16))
    .map((s) => ({ bus: 'i2c', address: s.address, manufacturer: s.staticSchema['manufacturer'], model: s.staticSchema['model'], sensor_id: s.sensorId }));
  return { devices };
}

/**
 * `sensor.health {sensor_id}` → the sensor's dynamic state document (sensor-dynamic schema): latest readings,
 * calibration, health (status, error count, model diagnostics), configuration and power mode.
 */
export function health(ctx: CommandContext, params: JsonObject): JsonObject {
  const sensor = ctx.sensor(requiredString(params, 'sensor_id'));
  const now = ctx.now();
  const timestamp = new Date(now).toISOString();
  const { status, diagnostics } = sensor.model.health(now);
  const calibration = sensor.model.calibration();
  return {
    sensor_id: sensor.sensorId,
    timestamp,
    readings: sensor.model.read(now).map((reading) => ({ ...reading, timestamp })),
    calibration: { ...calibration, ...(sensor.lastCalibration === null ? {} : { last_calibrated: sensor.lastCalibration }) },
    health: { status, error_count: sensor.errorCount, last_error: null, diagnostics: { ...diagnostics, readings_count: sensor.readingsCount } },
    configuration: sensor.model.config(),
    power_mode: sensor.model.powerMode(),
  };
}
