// NDATA / DDATA → telemetry store: aliases resolved, values typed with the BIRTH datatype, historical kept out of latest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { DataType } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import type { TestEdgeNode } from './edge-node.ts';
import { DEVICE_METRICS, NODE_METRICS, counterValue, edgeNode, startSparkplugHub } from './host-fixtures.ts';

/**
 * After the BIRTH values (stamped when `before` runs), so DATA values are the newest; the latest DATA
 * here (T0 + 4 min) stays inside the hub's allowed clock skew (--telemetry-max-future-ms, 10 min).
 */
const T0 = Date.now() + 60_000;
// From T0 on: the DATA values of these tests, none of the BIRTH values before them.
const RANGE = { start: new Date(T0).toISOString(), end: new Date(T0 + 3_600_000).toISOString() };

describe('Sparkplug host: DATA into the store', () => {
  let t: TestHub;
  let n: TestEdgeNode;
  let pumpId = '';

  before(async () => {
    t = await startSparkplugHub();
    n = await edgeNode(t, 'data');
    await n.nbirth(NODE_METRICS);
    await n.dbirth('pump', [
      ...DEVICE_METRICS,
      { name: 'Table', alias: 30n, datatype: DataType.DataSet, value: { columns: ['a'], types: [DataType.Int32], rows: [[1]] } },
      { name: 'Samples', alias: 31n, datatype: DataType.Int32Array, value: [1, -2, 3] },
      { name: 'Blob', alias: 32n, datatype: DataType.Bytes, value: Uint8Array.from([1, 2]) },
      { name: 'Big/Signed', alias: 33n, datatype: DataType.Int64, value: -(2n ** 62n) },
      { name: 'Text/Long', alias: 34n, datatype: DataType.Text, value: 'x' },
    ]);
    pumpId = deviceIdFor(`${n.edgeNodeId}/pump`);
    await eventually(async () => (await t.rpc('device.get', { device_id: pumpId })).result, 5000, 'pump registered');
  });
  after(async () => {
    await n.close();
    await t.close();
  });

  async function series(deviceId: string, measurement: string, expected: number): Promise<{ timestamp: string; value: unknown }[]> {
    return eventually(async () => {
      const r = await t.rpc('data.query', {
        device_ids: [deviceId],
        measurement_types: [measurement],
        time_range: RANGE,
        order: 'asc',
      });
      const points = r.result?.series?.[0]?.points;
      return points?.length === expected ? points : undefined;
    }, 5000, `${expected} points of ${measurement}`);
  }

  it('[tck-id-payloads-alias-data-cmd-requirement][tck-id-payloads-name-birth-data-requirement] alias-only DDATA is resolved and stored with the metric timestamps, queryable over data.query', async () => {
    await n.ddata('pump', [
      { alias: 10n, datatype: DataType.Double, value: 1.5, timestamp: T0 },
      { alias: 10n, datatype: DataType.Double, value: 1.75, timestamp: T0 + 1000 },
    ]);
    const points = await series(pumpId, 'Inputs/Pressure', 2);
    assert.deepEqual(points.map((p) => [p.timestamp, p.value]), [
      [new Date(T0).toISOString(), 1.5],
      [new Date(T0 + 1000).toISOString(), 1.75],
    ]);
    const r = await t.rpc('data.query', { device_ids: [pumpId], measurement_types: ['Inputs/Pressure'], time_range: RANGE });
    assert.equal(r.result.series[0].unit, 'bar');
  });

  it('[tck-id-payloads-metric-datatype-not-req] types DATA values without datatype by their BIRTH: Int8 negative, UInt64 past 2^53, Float, Double, Boolean, String, DateTime', async () => {
    const ts = T0 + 60_000;
    await n.ddata('pump', [
      { alias: 11n, datatype: DataType.Int8, value: -128, timestamp: ts },
      { alias: 12n, datatype: DataType.UInt64, value: 2n ** 64n - 1n, timestamp: ts },
      { alias: 13n, datatype: DataType.Float, value: 21.25, timestamp: ts },
      { alias: 10n, datatype: DataType.Double, value: Math.PI, timestamp: ts },
      { alias: 14n, datatype: DataType.Boolean, value: true, timestamp: ts },
      { alias: 15n, datatype: DataType.String, value: 'running', timestamp: ts },
      { alias: 16n, datatype: DataType.DateTime, value: 1_767_225_600_000, timestamp: ts },
      { alias: 17n, datatype: DataType.Int16, value: -300, timestamp: ts },
      { alias: 33n, datatype: DataType.Int64, value: -(2n ** 62n), timestamp: ts },
    ]);
    const last = async (measurement: string): Promise<unknown> => {
      const r = await eventually(async () => {
        const q = await t.rpc('data.query', { device_ids: [pumpId], measurement_types: [measurement], time_range: { start: ts, end: ts } });
        return q.result?.series?.[0]?.points?.length === 1 ? q : undefined;
      }, 5000, measurement);
      return r.result.series[0].points[0].value;
    };
    assert.equal(await last('Inputs/Offset'), -128);
    assert.equal(await last('Counters/Total'), '18446744073709551615', 'exact decimal text past 2^53');
    assert.equal(await last('Outputs/Setpoint'), 21.25);
    assert.equal(await last('Inputs/Pressure'), Math.PI);
    assert.equal(await last('Outputs/Running'), true);
    assert.equal(await last('Status/Text'), 'running');
    assert.equal(await last('Status/Since'), 1_767_225_600_000);
    assert.equal(await last('Outputs/Level'), -300);
    assert.equal(await last('Big/Signed'), '-4611686018427387904');
  });

  it('stores is_historical points without moving data.latest, and skips nulls', async () => {
    const live = T0 + 120_000;
    await n.ddata('pump', [{ alias: 13n, datatype: DataType.Float, value: 30, timestamp: live }]);
    await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [pumpId], measurement_types: ['Outputs/Setpoint'] });
      return r.result?.readings?.[0]?.value === 30;
    }, 5000, 'live value');
    await n.ddata('pump', [
      // Backfill from store-and-forward: later than the live value, yet historical.
      { alias: 13n, datatype: DataType.Float, value: 99, timestamp: live + 1000, isHistorical: true },
      { alias: 15n, datatype: DataType.String, isNull: true, timestamp: live + 1000 },
    ]);
    const points = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [pumpId], measurement_types: ['Outputs/Setpoint'], time_range: { start: live, end: live + 1000 }, order: 'asc' });
      return r.result?.series?.[0]?.points?.length === 2 ? r.result.series[0].points : undefined;
    }, 5000, 'historical point stored');
    assert.deepEqual(points.map((p: { value: number }) => p.value), [30, 99]);
    const latest = await t.rpc('data.latest', { device_ids: [pumpId], measurement_types: ['Outputs/Setpoint'] });
    assert.equal(latest.result.readings[0].value, 30, 'historical points never replace the latest value');
    const text = await t.rpc('data.query', { device_ids: [pumpId], measurement_types: ['Status/Text'], time_range: { start: live, end: live + 1000 } });
    assert.equal(text.result.series.length, 0, 'is_null metrics are not stored');
  });

  it('does not store DataSet, array or Bytes metrics, counts them, and stores the rest of the message', async () => {
    const ts = T0 + 180_000;
    const before = await counterValue(t.hub, 'llmiot_sparkplug_metrics_skipped_total', { reason: 'unsupported_datatype' });
    await n.ddata('pump', [
      { alias: 30n, datatype: DataType.DataSet, value: { columns: ['a'], types: [DataType.Int32], rows: [[2]] }, timestamp: ts },
      { alias: 31n, datatype: DataType.Int32Array, value: [4, 5], timestamp: ts },
      { alias: 32n, datatype: DataType.Bytes, value: Uint8Array.from([9]), timestamp: ts },
      { alias: 17n, datatype: DataType.Int16, value: 7, timestamp: ts },
    ]);
    const level = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [pumpId], measurement_types: ['Outputs/Level'], time_range: { start: ts, end: ts } });
      return r.result?.series?.[0]?.points?.[0];
    }, 5000, 'Outputs/Level stored');
    assert.equal(level.value, 7);
    assert.equal(await counterValue(t.hub, 'llmiot_sparkplug_metrics_skipped_total', { reason: 'unsupported_datatype' }), before + 3);
    const all = await t.rpc('data.query', { device_ids: [pumpId], time_range: { start: ts, end: ts } });
    assert.deepEqual(all.result.series.map((s: { measurement_type: string }) => s.measurement_type), ['Outputs/Level']);
  });

  it('stores NDATA for the edge node itself, falling back to the payload timestamp', async () => {
    const ts = T0 + 240_000;
    await n.ndata([{ alias: 1n, datatype: DataType.Float, value: 55.5 }], { timestamp: ts });
    const point = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [deviceIdFor(n.edgeNodeId)], measurement_types: ['CPU/Temperature'], time_range: { start: ts, end: ts } });
      return r.result?.series?.[0]?.points?.[0];
    }, 5000, 'NDATA stored');
    assert.equal(point.value, 55.5);
    assert.equal(point.timestamp, new Date(ts).toISOString());
  });
});
