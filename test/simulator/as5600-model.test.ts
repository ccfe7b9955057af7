/** AS5600 model: a turning magnet, 12-bit angle that wraps, ZPOS calibration, power modes, magnet status. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { As5600Model } from '../../src/simulator/as5600-model.ts';
import { DeviceRpcError } from '../../src/simulator/device-rpc-error.ts';

const START = Date.UTC(2025, 5, 1, 12);

function angle(model: As5600Model, t: number): number {
  return Number(model.read(t).find((r) => r.measurement_type === 'angle')?.value);
}

describe('As5600Model', () => {
  it('turns: angles stay in [0, 360), wrap from near 360 to near 0, and raw = angle·4096/360', () => {
    const model = new As5600Model({ seed: 1, baseRpm: 30 });
    let wraps = 0;
    let previous = angle(model, START);
    for (let i = 1; i <= 400; i++) {
      const t = START + i * 50;
      const a = angle(model, t);
      assert.ok(a >= 0 && a < 360, `angle ${a}`);
      const raw = model.readRaw(t);
      assert.equal(raw['angle'], (a * 4096) / 360, 'ANGLE register');
      assert.equal(raw['raw_angle'], (a * 4096) / 360, 'RAW ANGLE equals ANGLE with ZPOS 0');
      assert.ok(Number.isInteger(raw['raw_angle']) && Number(raw['raw_angle']) <= 4095);
      if (previous > 300 && a < 60) wraps++;
      previous = a;
    }
    // 30 rpm ± 25 % for 20 s: 7 to 13 turns.
    assert.ok(wraps >= 7 && wraps <= 13, `${wraps} wraps`);
  });

  it('moves at the reported speed, which changes slowly', () => {
    const model = new As5600Model({ seed: 4, baseRpm: 6 });
    const speed = Number(model.read(START).find((r) => r.measurement_type === 'rotation_speed')?.value);
    assert.ok(speed > 6 * 0.7 && speed < 6 * 1.3, `speed ${speed} rpm`);
    // Over 1 s the shaft turns speed × 6 degrees.
    const moved = (angle(model, START + 1000) - angle(model, START) + 360) % 360;
    assert.ok(Math.abs(moved - speed * 6) < 1, `moved ${moved}° at ${speed} rpm`);
    const speeds = Array.from({ length: 60 }, (_, i) => model.rpm(START + i * 1000));
    const steps = speeds.slice(1).map((s, i) => Math.abs(s - (speeds[i] ?? s)));
    assert.ok(Math.max(...steps) < 0.05, 'speed changes slowly');
  });

  it('is deterministic for a seed', () => {
    const times = Array.from({ length: 40 }, (_, i) => START + i * 123_457);
    const a = new As5600Model({ seed: 9 });
    const b = new As5600Model({ seed: 9 });
    assert.deepEqual(times.map((t) => a.readRaw(t)), times.map((t) => b.readRaw(t)));
    assert.notDeepEqual(times.map((t) => a.read(t)), times.map((t) => new As5600Model({ seed: 10 }).read(t)));
  });

  it('zero calibration (ZPOS) makes the current position read 0°, or the reference angle', () => {
    const model = new As5600Model({ seed: 2, baseRpm: 6 });
    const t = START + 5000;
    const raw = Number(model.readRaw(t)['raw_angle']);
    const result = model.calibrate(t, { method: 'zero' });
    assert.equal(result['calibration_status'], 'calibrated');
    assert.equal(result['zero_position'], raw);
    assert.equal(angle(model, t), 0);
    assert.equal(model.config()['zero_position'], raw);
    model.calibrate(t, { reference: 90 });
    assert.ok(Math.abs(angle(model, t) - 90) < 0.1);
    // After a soft reset an unburned ZPOS is gone; a burned one stays (OTP, at most 3 burns).
    model.reset();
    assert.equal(model.config()['zero_position'], 0);
    model.calibrate(t, {});
    for (let i = 0; i < 3; i++) model.calibrate(t, { method: 'burn' });
    assert.throws(() => model.calibrate(t, { method: 'burn' }), (error: unknown) => error instanceof DeviceRpcError && error.code === -32020);
    model.reset();
    assert.equal(model.config()['zero_position'], raw);
  });

  it('samples only once per polling period in LPM3 and reports its current draw', () => {
    const model = new As5600Model({ seed: 3, baseRpm: 60 });
    model.configure({ power_mode: 'LPM3' });
    assert.equal(angle(model, START + 10), angle(model, START + 90));
    assert.notEqual(angle(model, START + 90), angle(model, START + 110));
    assert.equal(model.health(START).diagnostics['current_ua'], 1500);
    assert.equal(model.powerMode(), 'LPM3');
  });

  it('reports magnet status: detected at 1.5 mm, too weak and then lost as it moves away', () => {
    const model = new As5600Model({ seed: 5 });
    assert.deepEqual(pick(model.magnet(START)), { md: true, ml: false, mh: false });
    assert.equal(model.read(START)[0]?.quality, 'good');
    model.setAirGap(3.5);
    assert.deepEqual(pick(model.magnet(START)), { md: true, ml: true, mh: false });
    assert.equal(model.read(START)[0]?.quality, 'uncertain');
    model.setAirGap(6);
    assert.equal(model.magnet(START).md, false);
    assert.equal(model.read(START)[0]?.quality, 'bad');
    assert.equal(model.health(START).status, 'failed');
    model.setAirGap(0.3);
    assert.equal(model.magnet(START).mh, true);
    assert.equal(model.magnet(START).agc, 0);
  });

  it('applies hysteresis: the output holds while the shaft moves less than the window', () => {
    // 0.02 rpm = 0.12°/s: about 2 LSB (0.088° each) in 1.5 s.
    const still = new As5600Model({ seed: 6, baseRpm: 0.02, rpmVariation: 0 });
    still.configure({ hysteresis_lsb: 3 });
    const free = new As5600Model({ seed: 6, baseRpm: 0.02, rpmVariation: 0 });
    assert.equal(angle(still, START), angle(free, START));
    assert.equal(angle(still, START + 1500), angle(still, START));
    assert.notEqual(angle(free, START + 1500), angle(free, START));
  });
});

function pick(status: { md: boolean; ml: boolean; mh: boolean }): { md: boolean; ml: boolean; mh: boolean } {
  return { md: status.md, ml: status.ml, mh: status.mh };
}
