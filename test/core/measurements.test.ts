import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MeasurementMapper } from '../../src/core/measurement-mapper.ts';
import { canonicalName, findQuantity, GENERIC_FOLDERS, IPSO_QUANTITIES, ipsoQuantity, mapMeasurement, QUANTITIES } from '../../src/core/measurements.ts';
import { conversionBetween, convertValue, findUnit, UNITS } from '../../src/core/units.ts';

const unit = (text: string) => {
  const found = findUnit(text);
  assert.ok(found, `unit ${text}`);
  return found;
};

describe('units', () => {
  it('know UCUM codes exactly and device spellings case-insensitively', () => {
    for (const [text, code] of [
      ['Cel', 'Cel'], ['celsius', 'Cel'], ['°C', 'Cel'], ['degC', 'Cel'], ['C', 'Cel'],
      ['[degF]', '[degF]'], ['fahrenheit', '[degF]'], ['°F', '[degF]'], ['K', 'K'],
      ['hPa', 'hPa'], ['HPA', 'hPa'], ['percent', '%'], ['%', '%'], ['degrees', 'deg'], ['rpm', '/min'],
      ['mV', 'mV'], ['millivolts', 'mV'], ['lux', 'lx'], ['m/s', 'm/s'], ['dBm', 'dB[mW]'], ['none', undefined], ['LSB', undefined],
    ] as const) {
      assert.equal(findUnit(text)?.code, code, text);
    }
  });

  it('convert within a dimension and refuse across dimensions', () => {
    const f2c = conversionBetween(unit('[degF]'), unit('Cel'));
    assert.ok(f2c);
    assert.equal(convertValue(212, f2c), 100);
    assert.equal(convertValue(32, f2c), 0);
    assert.equal(convertValue(-40, f2c), -40);
    const k2c = conversionBetween(unit('K'), unit('Cel'));
    assert.ok(k2c);
    assert.equal(convertValue(273.15, k2c), 0);
    const kpa2hpa = conversionBetween(unit('kPa'), unit('hPa'));
    assert.ok(kpa2hpa);
    assert.equal(convertValue(101.325, kpa2hpa), 1013.25);
    assert.equal(convertValue(180, conversionBetween(unit('deg'), unit('rad')) ?? assert.fail()), Number(Math.PI.toPrecision(12)));
    assert.equal(conversionBetween(unit('Cel'), unit('V')), undefined);
    assert.equal(conversionBetween(unit('%'), unit('hPa')), undefined);
  });

  it('have unique codes and aliases, and every quantity names a known unit', () => {
    const codes = UNITS.map((u) => u.code);
    assert.equal(new Set(codes).size, codes.length);
    const aliases = UNITS.flatMap((u) => u.aliases);
    assert.equal(new Set(aliases).size, aliases.length);
    for (const quantity of QUANTITIES) assert.equal(findUnit(quantity.unit)?.dimension, quantity.dimension, quantity.name);
  });
});

describe('measurement names', () => {
  it('map native names and aliases, IPSO ids and Sparkplug paths to one quantity', () => {
    for (const [name, canonical] of [
      ['temperature', 'temperature'], ['Temperature', 'temperature'], ['temp', 'temperature'],
      ['barometric_pressure', 'pressure'], ['relative_humidity', 'humidity'],
      ['3303/0/5700', 'temperature'], ['/3304/5700', 'humidity'], ['lwm2m_3315_5700', 'pressure'],
      ['Sensors/temperature', 'temperature'], ['Sensors/Temperature', 'temperature'], ['Device/CPU Temperature', 'cpu_temperature'],
      ['Inlet/temperature', 'Inlet/temperature'], ['Config/telemetry_interval_ms', 'Config/telemetry_interval_ms'], ['gizmo', 'gizmo'],
    ] as const) {
      assert.equal(canonicalName(name), canonical, name);
    }
    assert.deepEqual(
      [ipsoQuantity(3303, 5700)?.quantity.name, ipsoQuantity(3303, 5700)?.unit],
      ['temperature', 'Cel'],
    );
    assert.equal(findQuantity('3303/0/5700')?.defaultUnit, 'Cel');
  });

  it('map (name, unit) pairs to the canonical name and the UCUM spelling of the reported unit', () => {
    const native = mapMeasurement('temperature', 'celsius');
    assert.deepEqual([native.measurement, native.unit, native.identity], ['temperature', 'Cel', false]);
    assert.equal(mapMeasurement('temperature', 'Cel').identity, true);
    const sparkplug = mapMeasurement('Sensors/temperature', 'Cel');
    assert.deepEqual([sparkplug.measurement, sparkplug.unit], ['temperature', 'Cel']);
    // Values keep their unit: °F stays [degF] (converted by queries, never at ingest).
    assert.equal(mapMeasurement('temperature', '°F').unit, '[degF]');
    assert.equal(mapMeasurement('Inputs/Pressure', 'bar').unit, 'bar');
    // An unknown unit is kept as reported.
    assert.deepEqual([mapMeasurement('temperature', 'mV').unit, mapMeasurement('temperature', 'counts').unit], ['mV', 'counts']);
    // No unit stays none; an IPSO path takes the registry unit.
    assert.equal(mapMeasurement('temperature', undefined).unit, undefined);
    assert.equal(mapMeasurement('3303/0/5700', undefined).unit, 'Cel');
    assert.equal(mapMeasurement('tank_level', 'percent').unit, '%');
    assert.equal(mapMeasurement('Config/settle_ms', 'ms').identity, true);
  });
});

describe('MeasurementMapper', () => {
  it('returns the same objects when nothing changes and keeps the reported name and unit otherwise', () => {
    const mapper = new MeasurementMapper();
    const canonical = { deviceId: 'd', measurement: 'temperature', ts: 1, value: 20, unit: 'Cel' };
    const batch = [canonical];
    assert.equal(mapper.mapAll(batch), batch);
    const [mapped] = mapper.mapAll([{ deviceId: 'd', measurement: 'Sensors/temperature', ts: 2, value: 68, unit: 'fahrenheit', quality: 'good', historical: true }]);
    assert.deepEqual(mapped, {
      deviceId: 'd', measurement: 'temperature', ts: 2, value: 68, unit: '[degF]',
      sourceMeasurement: 'Sensors/temperature', sourceUnit: 'fahrenheit', quality: 'good', historical: true,
    });
    // Idempotent: a mapped point passes unchanged.
    assert.equal(mapper.map(mapped as NonNullable<typeof mapped>), mapped);
  });

  it('caches per (name, unit) pair and stays bounded', () => {
    const mapper = new MeasurementMapper(2);
    const first = mapper.mapping('temperature', 'celsius');
    assert.equal(mapper.mapping('temperature', 'celsius'), first);
    mapper.mapping('a', undefined);
    mapper.mapping('b', undefined); // past the bound: the cache starts afresh
    assert.notEqual(mapper.mapping('temperature', 'celsius'), first);
  });
});

describe('docs/measurements.md', () => {
  it('lists every quantity, unit, IPSO mapping and generic Sparkplug folder of the code', () => {
    const doc = readFileSync(new URL('../../docs/measurements.md', import.meta.url), 'utf8');
    for (const q of QUANTITIES) assert.ok(doc.includes(`| \`${q.name}\` | ${q.label} | ${q.dimension} | \`${q.unit}\` |`), `quantity ${q.name}`);
    for (const u of UNITS) assert.ok(doc.includes(`| \`${u.code}\` | ${u.name} | ${u.dimension} |`), `unit ${u.code}`);
    for (const [path, { quantity, unit }] of IPSO_QUANTITIES) assert.ok(doc.includes(`| ${path} | \`${quantity}\` | \`${unit}\` |`), `IPSO ${path}`);
    for (const folder of GENERIC_FOLDERS) assert.match(doc, new RegExp(`\`${folder}\``, 'i'), `folder ${folder}`);
  });
});
