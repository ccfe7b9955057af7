/** Static schemas (sensor-static 1.0.0) the simulated sensors announce in `sensor.discover`, from their datasheets. */
import {
  AS5600_CURRENT_UA,
  AS5600_DEFAULT_CONFIG,
  AS5600_FAST_FILTER_THRESHOLDS,
  AS5600_HYSTERESIS_LSB,
  AS5600_POLL_MS,
  AS5600_POWER_MODES,
  AS5600_SLOW_FILTERS,
  AS5600_UNITS,
} from './as5600-model.ts';
import { BMP580_DEFAULT_CONFIG, BMP580_IIR_COEFFICIENTS, BMP580_ODR_HZ, BMP580_OVERSAMPLING, BMP580_POWER_MODES, BMP580_UNITS } from './bmp580-model.ts';
import type { JsonObject } from './sensor-model.ts';
import { SOIL_DEFAULT_CONFIG, SOIL_POWER_MODES, SOIL_SAMPLE_COUNTS, SOIL_UNITS } from './soil-moisture-model.ts';

/** Version of the llm-iot hardware schemas (schemas/<kind>/v1.json) these documents follow. */
export const SCHEMA_VERSION = '1.0.0';

/** Bosch BMP580 on an Adafruit breakout, I2C address 0x47 (0x46 with SDO low). */
export function bmp580Schema(address: string): JsonObject {
  const osr = (what: string, fallback: number): JsonObject => ({
    description: `${what} oversampling ratio (×); higher lowers noise and the maximum output data rate.`,
    type: 'integer',
    allowed_values: [...BMP580_OVERSAMPLING],
    default: fallback,
  });
  const iir = (what: string): JsonObject => ({ description: `IIR low-pass coefficient for ${what}; 0 = bypass.`, type: 'integer', allowed_values: [...BMP580_IIR_COEFFICIENTS], default: 0 });
  return {
    manufacturer: 'Bosch',
    model: 'BMP580',
    board: 'Adafruit BMP580 breakout (STEMMA QT / Qwiic)',
    description: 'Barometric pressure and temperature sensor with compensated 24-bit outputs.',
    datasheet_url: 'https://www.bosch-sensortec.com/products/environmental-sensors/pressure-sensors/bmp580/',
    sensor_category: 'environmental',
    communication: {
      primary_protocol: 'I2C',
      supported_protocols: ['I2C', 'I3C', 'SPI'],
      i2c: { address, alt_addresses: [address === '0x47' ? '0x46' : '0x47'], max_clock_hz: 1_000_000 },
    },
    measurements: [
      { measurement_type: 'temperature', unit: BMP580_UNITS.temperature, range_min: -40, range_max: 85, accuracy: 0.5, resolution: 0.01, sample_rate_hz: BMP580_DEFAULT_CONFIG.output_data_rate, max_sample_rate_hz: 240, description: 'Output LSB is 1/65536 °C, reported to 0.01 °C.' },
      { measurement_type: 'pressure', unit: BMP580_UNITS.pressure, range_min: 300, range_max: 1250, accuracy: 0.5, relative_accuracy: 0.06, resolution: 0.0001, noise_rms: 0.002, sample_rate_hz: BMP580_DEFAULT_CONFIG.output_data_rate, max_sample_rate_hz: 240, description: 'Output LSB is 1/64 Pa, reported to 0.01 Pa.' },
    ],
    configuration_options: {
      pressure_oversampling: osr('Pressure', BMP580_DEFAULT_CONFIG.pressure_oversampling),
      temperature_oversampling: osr('Temperature', BMP580_DEFAULT_CONFIG.temperature_oversampling),
      iir_filter_pressure: iir('pressure'),
      iir_filter_temperature: iir('temperature'),
      output_data_rate: { description: 'Output data rate in normal mode; capped by the oversampling.', type: 'number', unit: 'Hz', allowed_values: [...BMP580_ODR_HZ], default: BMP580_DEFAULT_CONFIG.output_data_rate },
      power_mode: { description: 'Measurement mode; standby keeps the last conversion in the data registers.', type: 'string', allowed_values: [...BMP580_POWER_MODES], default: BMP580_DEFAULT_CONFIG.power_mode },
    },
    power: {
      supply_voltage: { min: 1.71, max: 3.6 },
      io_voltage: { min: 1.08, max: 3.6 },
      current_ua: { standby: 0.55 },
      modes: [
        { name: 'deep_standby', current_ua: 0.55, description: 'Lowest power; registers kept.' },
        { name: 'standby', current_ua: 1.3, description: 'No measurement; the last conversion stays readable.' },
        { name: 'normal', current_ua: 1.3, description: 'Periodic measurements at the output data rate; 1.3 µA at 1 Hz, 1X oversampling.' },
        { name: 'forced', description: 'One measurement per read, then standby.' },
        { name: 'continuous', description: 'Back-to-back measurements as fast as the oversampling allows.' },
      ],
    },
  };
}

/** ams OSRAM AS5600 12-bit magnetic rotary position sensor on an Adafruit breakout, I2C address 0x36 (fixed). */
export function as5600Schema(): JsonObject {
  return {
    manufacturer: 'ams OSRAM',
    model: 'AS5600',
    board: 'Adafruit AS5600 breakout (STEMMA QT / Qwiic)',
    description: 'Contactless magnetic rotary position sensor: 12-bit angle of a diametric magnet turning above the chip.',
    datasheet_url: 'https://ams.com/documents/20143/36005/AS5600_DS000365_5-00.pdf',
    features: ['automatic gain control and magnet detection', 'ZPOS burnable 3 times', 'OUT pin: analog or PWM'],
    sensor_category: 'position',
    communication: { primary_protocol: 'I2C', supported_protocols: ['I2C', 'analog', 'PWM'], i2c: { address: '0x36', max_clock_hz: 1_000_000 } },
    measurements: [
      { measurement_type: 'angle', unit: AS5600_UNITS.angle, range_min: 0, range_max: 360, resolution: 0.087890625, max_sample_rate_hz: 6666.7, description: 'ANGLE register (RAW ANGLE minus zero_position) × 360/4096.' },
      { measurement_type: 'rotation_speed', unit: AS5600_UNITS.rotation_speed, range_min: 0, range_max: 10_000, resolution: 0.1, description: 'Shaft speed the firmware derives from successive angles.' },
    ],
    configuration_options: {
      power_mode: { description: 'NOM always on; LPM1-3 poll every 5, 20 or 100 ms.', type: 'string', allowed_values: [...AS5600_POWER_MODES], default: AS5600_DEFAULT_CONFIG.power_mode, persistent: true },
      hysteresis_lsb: { description: 'Output hysteresis in LSB, to stop toggling at rest.', type: 'integer', allowed_values: [...AS5600_HYSTERESIS_LSB], default: 0, persistent: true },
      slow_filter: { description: 'Slow filter step response (×); 16× is the slowest and quietest.', type: 'integer', allowed_values: [...AS5600_SLOW_FILTERS], default: 16, persistent: true },
      fast_filter_threshold_lsb: { description: 'Step above which the fast filter takes over; 0 = slow filter only.', type: 'integer', allowed_values: [...AS5600_FAST_FILTER_THRESHOLDS], default: 0, persistent: true },
      zero_position: { description: 'ZPOS: raw angle that reads as 0; sensor.calibrate method "zero" sets it to the current position.', type: 'integer', minimum: 0, maximum: 4095, default: 0, persistent: true },
    },
    power: {
      supply_voltage: { min: 3.0, nominal: 3.3, max: 5.5 },
      current_ua: { typical: AS5600_CURRENT_UA.NOM },
      modes: AS5600_POWER_MODES.map((name) => ({
        name,
        current_ua: AS5600_CURRENT_UA[name],
        ...(AS5600_POLL_MS[name] > 0 ? { sample_interval_ms: AS5600_POLL_MS[name] } : { description: 'Always on.' }),
      })),
    },
  };
}

/**
 * Soil-moisture probe on an MCU ADC pin, power-gated through a GPIO: Adafruit's resistive "Simple Soil
 * Moisture Sensor" (dry reads low), or with `dryHigh` a capacitive v1.2 probe (dry reads high).
 */
export function soilMoistureSchema(pin: string, adcBits: number, dryHigh: boolean): JsonObject {
  return {
    manufacturer: dryHigh ? 'Generic' : 'Adafruit',
    model: dryHigh ? 'Capacitive Soil Moisture Sensor v1.2' : 'Simple Soil Moisture Sensor',
    description: `${dryHigh ? 'Capacitive' : 'Resistive'} probe read as a voltage; the MCU maps the ADC value to 0-100 % between a dry and a wet calibration point (relative moisture).`,
    ...(dryHigh ? {} : { datasheet_url: 'https://learn.adafruit.com/adafruit-simple-soil-moisture-sensor' }),
    features: [dryHigh ? 'coated capacitive electrode' : 'gold-plated prongs', 'analog output', 'can be powered from a GPIO only while sampling'],
    sensor_category: 'soil',
    communication: { primary_protocol: 'analog', analog: { pin, resolution_bits: adcBits, reference_voltage: 3.3, output_min_v: 0, output_max_v: 3.3 } },
    measurements: [
      { measurement_type: 'soil_moisture', unit: SOIL_UNITS.soil_moisture, range_min: 0, range_max: 100, resolution: 0.1, description: '0 % at the dry calibration point, 100 % at the wet one.' },
    ],
    configuration_options: {
      power_mode: { description: 'continuous: probe always powered; low_power: powered only while sampling (less electrolysis).', type: 'string', allowed_values: [...SOIL_POWER_MODES], default: SOIL_DEFAULT_CONFIG.power_mode },
      samples_averaged: { description: 'ADC samples averaged per reading.', type: 'integer', allowed_values: [...SOIL_SAMPLE_COUNTS], default: SOIL_DEFAULT_CONFIG.samples_averaged },
      settle_ms: { description: 'Wait after switching the probe on before sampling (low_power).', type: 'integer', unit: 'ms', minimum: 0, maximum: 1000, default: SOIL_DEFAULT_CONFIG.settle_ms },
    },
    power: {
      supply_voltage: { min: 3.3, nominal: 3.3, max: 5.0 },
      modes: [
        { name: 'continuous', current_ua: 330, description: 'Probe powered all the time.' },
        { name: 'low_power', current_ua: 10, description: 'Probe powered from the enable pin only while a reading is taken.' },
      ],
      warmup_ms: SOIL_DEFAULT_CONFIG.settle_ms,
    },
  };
}
