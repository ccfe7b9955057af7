// Sparkplug DataType ids (Sparkplug 3.0 §6.4.16) and their groups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DataType,
  dataTypeId,
  dataTypeName,
  isArrayDataType,
  isDataTypeId,
  isMetricDataType,
  isScalarDataType,
} from '../../src/protocols/sparkplug/codec/index.ts';
import type { DataTypeName } from '../../src/protocols/sparkplug/codec/index.ts';

describe('Sparkplug datatypes (§6.4.16)', () => {
  it('numbers the 35 types as the specification does', () => {
    const names = Object.keys(DataType) as DataTypeName[];
    assert.equal(names.length, 35);
    assert.deepEqual(names.map((name) => DataType[name]), Array.from({ length: 35 }, (_, i) => i));
    assert.equal(DataType.Template, 19);
    assert.equal(DataType.PropertySetList, 21);
    assert.equal(DataType.Int8Array, 22);
    assert.equal(DataType.DateTimeArray, 34);
  });

  it('maps names to ids and back', () => {
    for (const name of Object.keys(DataType) as DataTypeName[]) {
      assert.equal(dataTypeName(DataType[name]), name);
      assert.equal(dataTypeId(name), DataType[name]);
    }
    assert.equal(dataTypeName(35), undefined);
    assert.equal(dataTypeId('int8'), undefined);
    assert.equal(isDataTypeId(34), true);
    assert.equal(isDataTypeId(-1), false);
  });

  it('groups scalar (1–15), array (22–34) and metric (1–19, 22–34) types', () => {
    const ids = Array.from({ length: 37 }, (_, i) => i - 1);
    assert.deepEqual(ids.filter(isScalarDataType), Array.from({ length: 15 }, (_, i) => i + 1));
    assert.deepEqual(ids.filter(isArrayDataType), Array.from({ length: 13 }, (_, i) => i + 22));
    assert.deepEqual(ids.filter(isMetricDataType), [...Array.from({ length: 19 }, (_, i) => i + 1), ...Array.from({ length: 13 }, (_, i) => i + 22)]);
  });
});
