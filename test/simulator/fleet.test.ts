/** Fleet: board mix and zones round-robin, progress and per-board summary, benchmark mode with backpressure. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fleet, formatProgress, runFleet, zoneNames } from '../../src/simulator/index.ts';
import { FakeHub } from './fake-hub.ts';

type Json = Record<string, any>;

describe('Fleet', () => {
  let hub: FakeHub;

  before(async () => {
    hub = await FakeHub.start();
  });
  after(async () => {
    await hub.close();
  });

  it('starts N MCUs of a board mix with zones round-robin, and reports progress and a per-board summary', async () => {
    const fleet = new Fleet({ count: 6, boards: ['esp32-s3', 'pico', 'nano33'], zones: 2, idPrefix: 'mix', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 20, heartbeatIntervalMs: 50 });
    try {
      await fleet.start();
      assert.deepEqual(
        fleet.mcus.map((m) => [m.hardwareId, m.zone]),
        [
          ['mix-esp32-s3-001', 'Zone A'],
          ['mix-pico-w-001', 'Zone B'],
          ['mix-nano33-iot-001', 'Zone A'],
          ['mix-esp32-s3-002', 'Zone B'],
          ['mix-pico-w-002', 'Zone A'],
          ['mix-nano33-iot-002', 'Zone B'],
        ],
      );
      const register = hub.sent('mix-pico-w-002', 'device.register')[0] as Json;
      assert.equal(register['params'].zone, 'Zone A');
      assert.equal(register['params'].static_schema.model, 'Pico W');
      assert.deepEqual(register['params'].tags, ['greenhouse', 'simulated']);
      await hub.until(() => fleet.mcus.every((m) => hub.sent(m.hardwareId, 'telemetry.report').length >= 2));

      const progress = fleet.progress();
      assert.equal(progress.mcus, 6);
      assert.equal(progress.registered, 6);
      assert.equal(progress.connected, 6);
      assert.ok(progress.sent >= progress.telemetryMessages && progress.telemetryMessages >= 12);
      assert.match(formatProgress(progress), /6\/6 registered .*sent \d+ \(\d+\/s\)/);
    } finally {
      await fleet.stop();
    }
    const summary = fleet.summary();
    assert.deepEqual(Object.keys(summary.perBoard).sort(), ['esp32-s3', 'nano33-iot', 'pico-w']);
    for (const board of Object.values(summary.perBoard)) assert.equal(board?.mcus, 2);
    const perBoardSent = Object.values(summary.perBoard).reduce((n, b) => n + (b?.sent ?? 0), 0);
    assert.equal(perBoardSent, summary.totals.sent);
    assert.ok(summary.totals.acknowledged <= summary.totals.sent && summary.totals.acknowledged > 0);
    assert.equal(summary.failures.length, 0);
    assert.ok(summary.durationMs > 0 && summary.messagesPerSecond > 0);
  });

  it('pads or splits telemetry to exactly readingsPerMessage points', async () => {
    const fleet = new Fleet({ count: 2, boards: ['esp32-s3'], idPrefix: 'pad', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 5, readingsPerMessage: 5, sensors: ['bmp580'] });
    const split = new Fleet({ count: 1, boards: ['pico'], idPrefix: 'split', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 5, readingsPerMessage: 3 });
    try {
      await Promise.all([fleet.start(), split.start()]);
      // Until the BMP580's readings flow too: on a busy machine ten reports may all precede its discovery.
      const sensorReported = (): boolean => (hub.sent('pad-esp32-s3-001', 'telemetry.report') as Json[]).some((m) => m['params'].readings.some((r: Json) => r['sensor_id'] !== undefined));
      await hub.until(() => hub.sent('pad-esp32-s3-001', 'telemetry.report').length >= 10 && sensorReported() && hub.sent('split-pico-w-001', 'telemetry.report').length >= 10);
    } finally {
      await Promise.all([fleet.stop(), split.stop()]);
    }
    const padded = hub.sent('pad-esp32-s3-001', 'telemetry.report') as Json[];
    assert.ok(padded.every((m) => m['params'].readings.length === 5));
    // Once the BMP580 is discovered: its two readings, then MCU metrics without a sensor_id (they belong to the MCU).
    const withSensor = padded.filter((m) => m['params'].readings.some((r: Json) => r['sensor_id'] !== undefined));
    assert.ok(withSensor.length > 0);
    for (const message of withSensor) {
      const readings = message['params'].readings as Json[];
      assert.deepEqual(readings.map((r) => r['measurement_type']), ['temperature', 'pressure', 'cpu_temperature', 'free_heap', 'rssi']);
      assert.equal(readings.filter((r) => r['sensor_id'] === undefined).length, 3);
    }
    const chunks = hub.sent('split-pico-w-001', 'telemetry.report') as Json[];
    assert.ok(chunks.every((m) => m['params'].readings.length === 3), 'five sensor readings go out as 3 + (2 + 1 padding)');
  });

  it('respects MQTT backpressure in fast mode: never more than maxInFlight unacknowledged publishes', async () => {
    hub.behaviour.publishDelayMs = 40;
    const fleet = new Fleet({ count: 2, boards: ['esp32-s3'], idPrefix: 'fast', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 1, heartbeatIntervalMs: 60_000, readingsPerMessage: 5, maxInFlight: 4 });
    let peak = 0;
    try {
      await fleet.start();
      const until = Date.now() + 600;
      while (Date.now() < until) {
        const progress = fleet.progress();
        peak = Math.max(peak, progress.inFlight);
        for (const mcu of fleet.mcus) assert.ok(mcu.stats().sent - mcu.stats().acknowledged <= 4, 'bounded backlog per MCU');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      delete hub.behaviour.publishDelayMs;
      await fleet.stop();
    }
    const summary = fleet.summary();
    assert.ok(peak > 0 && peak <= 8, `peak in flight ${peak} for 2 MCUs × 4`);
    // 600 ms at 40 ms per acknowledgement, 4 at a time: about 60 messages per MCU, not 600.
    assert.ok(summary.totals.telemetryMessages > 20 && summary.totals.telemetryMessages < 200, `${summary.totals.telemetryMessages} messages`);
  });

  it('runFleet runs for a duration, stops every MCU and returns the summary', async () => {
    const progress: number[] = [];
    const summary = await runFleet({ count: 3, idPrefix: 'run', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 20, durationMs: 300, progressIntervalMs: 50, onProgress: (p) => progress.push(p.sent) });
    assert.ok(summary.durationMs >= 300);
    assert.ok(summary.totals.telemetryMessages >= 3);
    assert.equal(summary.totals.registered, 3, 'registered during the run, though stopped now');
    assert.equal(summary.hubAnswered, true);
    assert.ok(progress.length >= 2);
    for (const id of ['run-esp32-s3-001', 'run-pico-w-001', 'run-nano33-iot-001']) {
      await hub.until(() => hub.sent(id, 'device.offline').length === 1);
    }
  });

  it('names zones A…Z, then AA, AB, …', () => {
    const names = zoneNames(28);
    assert.deepEqual([names[0], names[25], names[26], names[27]], ['Zone A', 'Zone Z', 'Zone AA', 'Zone AB']);
  });
});
