// DataSet values (Sparkplug 3.0 §6.4.11–13) to and from their protobuf messages.

import { dataTypeName, isScalarDataType } from './datatypes.ts';
import type { ScalarDataTypeId } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import { readMember, scalarFromRaw, scalarToWire } from './scalar.ts';
import { schema } from './schema.ts';
import type { SparkplugDataSet, SparkplugScalarValue } from './types.ts';
import { checkWireTypes, has, optionalU64, repeated, toWireLong, valueMember } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

function decodeCell(element: unknown, type: ScalarDataTypeId, path: string): SparkplugScalarValue | null {
  const cell = element as WireMessage;
  checkWireTypes(cell, schema.dataSetValue, path);
  const member = valueMember(cell, schema.valueMembers.dataSetValue, path);
  // An element with no value is a null cell (Ignition and Tahu Java write nulls this way).
  if (member === undefined) return null;
  // [tck-id-payloads-template-dataset-value] a DataSetValue is uint32, uint64, float, double, bool or string.
  if (member === 'extension_value') throw new MalformedPayloadError('DataSetValue extension_value has no datatype mapping', { path });
  return scalarFromRaw(type, member, readMember(cell, member), path);
}

/** Decode a DataSet message; column/type/row counts that disagree are malformed. */
export function decodeDataSet(msg: WireMessage, path: string): SparkplugDataSet {
  checkWireTypes(msg, schema.dataSet, path);
  const columns = repeated(msg, 'columns') as string[];
  const types = repeated(msg, 'types').map((type, i): ScalarDataTypeId => {
    // [tck-id-payloads-dataset-types-value] column types are basic types (we also admit UUID, a string).
    if (typeof type === 'number' && isScalarDataType(type)) return type;
    throw new MalformedPayloadError(`column type ${String(type)} is not a scalar datatype`, { path: `${path}.types[${i}]` });
  });
  // [tck-id-payloads-dataset-column-num-headers] [tck-id-payloads-dataset-types-num]
  if (columns.length !== types.length) {
    throw new MalformedPayloadError(`${columns.length} column names but ${types.length} column types`, { path });
  }
  // [tck-id-payloads-dataset-column-size]
  const declared = optionalU64(msg, 'num_of_columns');
  if (declared !== undefined && declared !== BigInt(types.length)) {
    throw new MalformedPayloadError(`num_of_columns ${declared} but ${types.length} column types`, { path });
  }
  const rows = repeated(msg, 'rows').map((row, r) => {
    const rowPath = `${path}.rows[${r}]`;
    checkWireTypes(row as WireMessage, schema.row, rowPath);
    const cells = repeated(row as WireMessage, 'elements');
    if (cells.length !== types.length) {
      throw new MalformedPayloadError(`row has ${cells.length} elements for ${types.length} columns`, { path: rowPath });
    }
    return cells.map((cell, c) => decodeCell(cell, types[c] as ScalarDataTypeId, `${rowPath}[${c}]`));
  });
  return { columns, types, rows };
}

/** Build a DataSet message; malformed input throws TypeError or RangeError. */
export function encodeDataSet(dataSet: unknown, path: string): WireDraft {
  if (typeof dataSet !== 'object' || dataSet === null || !has(dataSet as WireMessage, 'columns')) {
    throw new TypeError(`Sparkplug encode: ${path} must be a DataSet { columns, types, rows }`);
  }
  const { columns, types, rows } = dataSet as SparkplugDataSet;
  if (!Array.isArray(columns) || !Array.isArray(types) || !Array.isArray(rows)) {
    throw new TypeError(`Sparkplug encode: ${path} columns, types and rows must be arrays`);
  }
  if (columns.length !== types.length) {
    throw new RangeError(`Sparkplug encode: ${path} has ${columns.length} columns but ${types.length} types`);
  }
  columns.forEach((column, i) => {
    if (typeof column !== 'string') throw new TypeError(`Sparkplug encode: ${path}.columns[${i}] must be a string`);
  });
  types.forEach((type, i) => {
    if (!isScalarDataType(type)) {
      throw new RangeError(`Sparkplug encode: ${path}.types[${i}] ${dataTypeName(type) ?? String(type)} is not a scalar datatype`);
    }
  });
  const encodedRows = rows.map((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== types.length) {
      throw new RangeError(`Sparkplug encode: ${path}.rows[${r}] must be an array of ${types.length} cells`);
    }
    const elements = row.map((cell: unknown, c) => {
      const draft: WireDraft = {};
      if (cell !== null) scalarToWire(draft, types[c] as ScalarDataTypeId, cell, `${path}.rows[${r}][${c}]`);
      return draft;
    });
    return { elements };
  });
  return { num_of_columns: toWireLong(BigInt(types.length)), columns: [...columns], types: [...types], rows: encodedRows };
}
