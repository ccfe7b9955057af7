import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineSeries } from '../../src/app/combine-series.ts';
import type { SeriesResult } from '../../src/core/telemetry.ts';

const series = (deviceId: string, unit: string | null, points: SeriesResult['points'], measurement = 'temperature'): SeriesResult => ({ deviceId, measurement, unit, points });

describe('combineSeries units', () => {
  it('converts compatible units into the quantity unit before combining, for every aggregation', () => {
    const c = series('a', 'Cel', [{ ts: 0, value: 20, count: 2 }]);
    const f = series('b', '[degF]', [{ ts: 0, value: 212, count: 1 }]);
    const avg = combineSeries([c, f], 'avg');
    assert.deepEqual(avg.series.map((s) => [s.unit, s.points[0]?.value, s.points[0]?.count]), [['Cel', 140 / 3, 3]]);
    assert.deepEqual(avg.conflicts, []);
    assert.equal(combineSeries([c, f], 'max').series[0]?.points[0]?.value, 100);
    const counts = [series('a', 'Cel', [{ ts: 0, value: 2, count: 2 }]), series('b', '[degF]', [{ ts: 0, value: 1, count: 1 }])];
    assert.equal(combineSeries(counts, 'count').series[0]?.points[0]?.value, 3, 'count is unit-free');
    // A sum of two °F samples (2 × 32 °F = 64) is 2 × 0 °C: the offset applies once per sample.
    const sum = combineSeries([c, series('b', '[degF]', [{ ts: 0, value: 64, count: 2 }])], 'sum');
    assert.equal(sum.series[0]?.points[0]?.value, 20);
  });

  it('keeps a shared unit as is and never merges units of another dimension or unknown units', () => {
    const bar = combineSeries([series('a', 'bar', [{ ts: 0, value: 1 }], 'pressure'), series('b', 'bar', [{ ts: 1, value: 2 }], 'pressure')], undefined);
    assert.deepEqual(bar.series.map((s) => [s.unit, s.points.length]), [['bar', 2]]);
    const mixed = combineSeries(
      [series('a', 'Cel', [{ ts: 0, value: 20 }]), series('b', 'mV', [{ ts: 0, value: 512 }]), series('c', 'counts', [{ ts: 0, value: 7 }]), series('d', null, [{ ts: 0, value: 1 }])],
      'avg',
    );
    assert.deepEqual(mixed.series.map((s) => [s.unit, s.points[0]?.value]), [['Cel', 20], ['mV', 512], ['counts', 7], [null, 1]]);
    assert.deepEqual(mixed.conflicts, [{ measurement: 'temperature', units: ['Cel', 'mV', 'counts', null] }]);
  });
});
