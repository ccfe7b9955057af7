/** BMP580 model: a greenhouse day cycle, pressure fronts, datasheet raw formats, configuration and determinism. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bmp580Model } from '../../src/simulator/bmp580-model.ts';
import { DeviceRpcError } from '../../src/simulator/device-rpc-error.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 5, 1);

function value(model: Bmp580Model, t: number, type: 'temperature' | 'pressure'): number {
  const reading = model.read(t).find((r) => r.measurement_type === type);
  assert.ok(reading);
  return Number(reading.value);
}

function argExtremes(samples: readonly { hour: number; value: number }[]): { minHour: number; maxHour: number; min: number; max: number } {
  const min = samples.reduce((a, b) => (b.value < a.value ? b : a));
  const max = samples.reduce((a, b) => (b.value > a.value ? b : a));
  return { minHour: min.hour, maxHour: max.hour, min: min.value, max: max.value };
}

describe('Bmp580Model', () => {
  it('follows the greenhouse day: 14 °C at 05:00, 28 °C at 15:00 (noise-free profile)', () => {
    const model = new Bmp580Model({ seed: 1, diurnal: { dayToDayC: 0, slowNoiseC: 0 } });
    const samples = Array.from({ length: 24 * 12 }, (_, i) => ({ hour: i / 12, value: value(model, START + (i * HOUR) / 12, 'temperature') }));
    const { minHour, maxHour, min, max } = argExtremes(samples);
    assert.ok(Math.abs(minHour - 5) <= 0.25, `minimum at ${minHour} h`);
    assert.ok(Math.abs(maxHour - 15) <= 0.25, `maximum at ${maxHour} h`);
    assert.ok(Math.abs(min - 14) < 0.1, `minimum ${min} °C`);
    assert.ok(Math.abs(max - 28) < 0.1, `maximum ${max} °C`);
  });

  it('keeps the cycle with day-to-day variation and slow noise: hourly means over 10 days peak at 15:00, bottom at 05:00', () => {
    const model = new Bmp580Model({ seed: 7 });
    const hourly = Array.from({ length: 24 }, (_, hour) => {
      let total = 0;
      for (let day = 0; day < 10; day++) total += value(model, START + day * DAY + hour * HOUR, 'temperature');
      return { hour, value: total / 10 };
    });
    const { minHour, maxHour, min, max } = argExtremes(hourly);
    assert.ok(Math.abs(minHour - 5) <= 1, `mean minimum at ${minHour} h`);
    assert.ok(Math.abs(maxHour - 15) <= 1, `mean maximum at ${maxHour} h`);
    assert.ok(min > 12 && min < 16 && max > 26 && max < 30, `mean range ${min}..${max}`);
  });

  it('reads pressure near 1013 hPa that drifts with fronts over hours, within ±10 hPa plus the tide', () => {
    const model = new Bmp580Model({ seed: 3 });
    const hourly = Array.from({ length: 24 * 7 }, (_, h) => value(model, START + h * HOUR, 'pressure'));
    const min = Math.min(...hourly);
    const max = Math.max(...hourly);
    assert.ok(min > 1013.25 - 11 && max < 1013.25 + 11, `range ${min}..${max}`);
    assert.ok(max - min > 3, `a week of weather moves the pressure (${(max - min).toFixed(2)} hPa)`);
    const steps = hourly.slice(1).map((p, i) => Math.abs(p - (hourly[i] ?? p)));
    assert.ok(Math.max(...steps) < 1.5, 'fronts move slowly: under 1.5 hPa per hour');
  });

  it('reports in the schema units at datasheet resolution, and the raw registers match the values', () => {
    const model = new Bmp580Model({ seed: 5 });
    const t = START + 10 * HOUR;
    const [temperature, pressure] = model.read(t);
    assert.deepEqual([temperature?.unit, pressure?.unit], ['celsius', 'hPa']);
    const raw = model.readRaw(t);
    assert.equal(raw['chip_id'], 0x50);
    assert.ok(Math.abs(Number(raw['temp_data']) / 65_536 - Number(temperature?.value)) <= 0.005);
    assert.ok(Math.abs(Number(raw['press_data']) / 64 / 100 - Number(pressure?.value)) <= 0.00005);
    assert.ok(Number(raw['press_data']) < 2 ** 24 && Number(raw['press_data']) > 0);
  });

  it('is deterministic for a seed, and differs between seeds', () => {
    const a = new Bmp580Model({ seed: 42 });
    const b = new Bmp580Model({ seed: 42 });
    const c = new Bmp580Model({ seed: 43 });
    const times = Array.from({ length: 50 }, (_, i) => START + i * 997_003);
    assert.deepEqual(times.map((t) => a.read(t)), times.map((t) => b.read(t)));
    assert.notDeepEqual(times.map((t) => a.read(t)), times.map((t) => c.read(t)));
  });

  it('gets quieter with more oversampling', () => {
    const spread = (osr: number): number => {
      const model = new Bmp580Model({ seed: 9 });
      model.configure({ pressure_oversampling: osr, power_mode: 'continuous' });
      // 200 samples 1 ms apart: the weather does not move, only the noise does.
      const values = Array.from({ length: 200 }, (_, i) => value(model, START + i, 'pressure') * 100);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    };
    const loud = spread(1);
    const quiet = spread(128);
    assert.ok(loud > 3 * quiet, `σ at 1X ${loud.toFixed(3)} Pa vs 128X ${quiet.toFixed(3)} Pa`);
  });

  it('updates at the output data rate in normal mode and keeps the last conversion in standby', () => {
    const model = new Bmp580Model({ seed: 11 });
    model.configure({ output_data_rate: 1 });
    assert.deepEqual(model.read(START + 100), model.read(START + 900), 'one conversion per second at 1 Hz');
    const before = model.read(START + 1500);
    model.configure({ power_mode: 'standby' });
    const frozen = model.read(START + 10 * HOUR);
    assert.deepEqual(frozen.map((r) => r.value), before.map((r) => r.value));
    assert.ok(frozen.every((r) => r.quality === 'uncertain'));
  });

  it('refuses unknown or out-of-range settings with -32602 and lists every issue', () => {
    const model = new Bmp580Model({ seed: 1 });
    assert.throws(
      () => model.configure({ pressure_oversampling: 3, colour: 'blue' }),
      (error: unknown) => error instanceof DeviceRpcError && error.code === -32602 && JSON.stringify(error.data).includes('config.colour') && JSON.stringify(error.data).includes('config.pressure_oversampling'),
    );
    assert.equal(model.config()['pressure_oversampling'], 16, 'nothing applied');
  });

  it('calibrates a pressure offset against a reference and resets to factory', () => {
    const model = new Bmp580Model({ seed: 2 });
    const t = START + 3 * HOUR;
    const result = model.calibrate(t, { reference: { pressure: 1000 } });
    assert.equal(result['calibration_status'], 'calibrated');
    assert.ok(Math.abs(value(model, t, 'pressure') - 1000) < 0.001);
    model.reset();
    assert.equal(model.calibration().method, 'factory');
    assert.throws(() => model.calibrate(t, {}), (error: unknown) => error instanceof DeviceRpcError && error.code === -32602);
  });
});
