/** Soil-moisture model: drying faster in daytime heat, jumps at watering, wiring direction, calibration, low power. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceRpcError } from '../../src/simulator/device-rpc-error.ts';
import { SoilMoistureModel } from '../../src/simulator/soil-moisture-model.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2025, 5, 1);

function moisture(model: SoilMoistureModel, t: number): number {
  return Number(model.read(t)[0]?.value);
}

describe('SoilMoistureModel', () => {
  it('dries between waterings and jumps up at each watering', () => {
    const model = new SoilMoistureModel({ seed: 1 });
    const events = model.wateringEvents(START + 12 * HOUR, START + 4 * 24 * HOUR);
    assert.ok(events.length >= 6 && events.length <= 8, `${events.length} waterings in 3.5 days at a 12 h period`);
    for (const at of events) {
      const before = moisture(model, at - MINUTE);
      const earlier = moisture(model, at - 4 * HOUR);
      const after = moisture(model, at + 15 * MINUTE);
      assert.ok(earlier > before + 2, `drying before the watering: ${earlier} → ${before}`);
      assert.ok(after > before + 10, `watering at ${new Date(at).toISOString()}: ${before} → ${after}`);
    }
  });

  it('dries faster in the afternoon heat than at night', () => {
    // One watering a week: nothing interrupts the drying in the window below.
    const model = new SoilMoistureModel({ seed: 2, wateringIntervalMs: 7 * 24 * HOUR, wateringJitter: 0 });
    const [watering] = model.wateringEvents(START, START + 8 * 24 * HOUR);
    assert.ok(watering !== undefined);
    const day = Math.floor(watering / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
    const loss = (fromHour: number, toHour: number): number => {
      const a = model.trueMoisture(day + fromHour * HOUR);
      const b = model.trueMoisture(day + toHour * HOUR);
      return (a - b) / (a - 8);
    };
    const night = loss(0, 4);
    const afternoon = loss(12, 16);
    assert.ok(night > 0 && afternoon > 2 * night, `relative loss: night ${night.toFixed(4)}, afternoon ${afternoon.toFixed(4)}`);
  });

  it('is deterministic for a seed, whatever order it is read in', () => {
    const times = Array.from({ length: 30 }, (_, i) => START + i * 47 * MINUTE);
    const forward = new SoilMoistureModel({ seed: 5 });
    const backward = new SoilMoistureModel({ seed: 5 });
    const a = times.map((t) => forward.read(t));
    const b = [...times].reverse().map((t) => backward.read(t)).reverse();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, times.map((t) => new SoilMoistureModel({ seed: 6 }).read(t)));
  });

  it('reads a higher ADC value when wetter with resistive wiring, lower with a capacitive probe', () => {
    const resistive = new SoilMoistureModel({ seed: 3 });
    const capacitive = new SoilMoistureModel({ seed: 3, dryHigh: true });
    const [watering] = resistive.wateringEvents(START + HOUR, START + 2 * 24 * HOUR);
    assert.ok(watering !== undefined);
    const wet = watering + 20 * MINUTE;
    const dry = watering - MINUTE;
    const adc = (model: SoilMoistureModel, t: number): number => Number(model.readRaw(t)['adc']);
    assert.ok(adc(resistive, wet) > adc(resistive, dry) + 200);
    assert.ok(adc(capacitive, wet) < adc(capacitive, dry) - 200);
    // Both report the same direction in percent.
    assert.ok(moisture(capacitive, wet) > moisture(capacitive, dry));
    assert.ok(Number(resistive.readRaw(wet)['adc']) <= 4095);
  });

  it('calibrates dry and wet points (in progress after one, calibrated after both) and maps them to 0 and 100 %', () => {
    const model = new SoilMoistureModel({ seed: 4 });
    assert.equal(model.calibration().status, 'uncalibrated');
    const t1 = START + 5 * HOUR;
    const dry = model.calibrate(t1, { method: 'dry' });
    assert.equal(dry['calibration_status'], 'in_progress');
    assert.equal(moisture(model, t1), 0);
    const t2 = model.wateringEvents(t1, t1 + 24 * HOUR)[0];
    assert.ok(t2 !== undefined);
    const wet = model.calibrate(t2 + 20 * MINUTE, { method: 'wet' });
    assert.equal(wet['calibration_status'], 'calibrated');
    assert.equal(moisture(model, t2 + 20 * MINUTE), 100);
    model.calibrate(t1, { method: 'two_point', reference: { dry_raw: 100, wet_raw: 3000 } });
    assert.deepEqual(model.calibration().points?.map((p) => p.raw), [100, 3000]);
    assert.throws(() => model.calibrate(t1, { method: 'two_point', reference: { dry_raw: 100, wet_raw: 150 } }), (error: unknown) => error instanceof DeviceRpcError && error.code === -32602);
    assert.throws(() => model.calibrate(t1, {}), (error: unknown) => error instanceof DeviceRpcError && error.code === -32602);
    model.reset();
    assert.equal(model.calibration().status, 'uncalibrated');
  });

  it('low-power mode powers the probe only while sampling; averaging more samples lowers the noise', () => {
    const model = new SoilMoistureModel({ seed: 8 });
    const noisy = Number(model.health().diagnostics['noise_rms_counts']);
    assert.equal(model.health().diagnostics['probe_powered'], true);
    model.configure({ power_mode: 'low_power', samples_averaged: 32, settle_ms: 50 });
    assert.equal(model.powerMode(), 'low_power');
    assert.equal(model.health().diagnostics['probe_powered'], false);
    assert.ok(Number(model.health().diagnostics['current_ua']) < 100);
    assert.ok(Number(model.health().diagnostics['noise_rms_counts']) < noisy);
    assert.throws(() => model.configure({ power_mode: 'sleepy' }), (error: unknown) => error instanceof DeviceRpcError && error.code === -32602);
  });
});
