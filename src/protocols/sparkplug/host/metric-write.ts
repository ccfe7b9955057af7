// A JSON value to write to a metric, typed as the metric's BIRTH datatype
// ([tck-id-operational-behavior-data-commands-ncmd-metric-value], […-dcmd-metric-value]).

import { DataType, dataTypeName } from '../codec/datatypes.ts';
import type { SparkplugScalarValue } from '../codec/types.ts';

/** Why a value cannot be written to a metric: the message names the metric, its datatype and the problem. */
export class MetricWriteError extends Error {
  /** `unsupported`: the datatype cannot be written by the hub; `value`: this value does not fit it. */
  readonly kind: 'unsupported' | 'value';

  constructor(kind: 'unsupported' | 'value', message: string) {
    super(message);
    this.name = 'MetricWriteError';
    this.kind = kind;
  }
}

const INT_RANGES: Readonly<Record<number, readonly [number, number]>> = {
  [DataType.Int8]: [-0x80, 0x7f],
  [DataType.Int16]: [-0x8000, 0x7fff],
  [DataType.Int32]: [-0x8000_0000, 0x7fff_ffff],
  [DataType.UInt8]: [0, 0xff],
  [DataType.UInt16]: [0, 0xffff],
  [DataType.UInt32]: [0, 0xffff_ffff],
};
const BIG_RANGES: Readonly<Record<number, readonly [bigint, bigint]>> = {
  [DataType.Int64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [DataType.UInt64]: [0n, 2n ** 64n - 1n],
};

/** A 64-bit integer from a JSON number (safe integer) or decimal text (for values past 2^53). */
function bigFrom(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
}

/**
 * The Sparkplug value to send for `value` written to a metric of `datatype` (named `metric` in
 * messages). Throws {@link MetricWriteError}: kind `unsupported` for DataSet, Template, Bytes, File
 * and array metrics, kind `value` when the value does not fit the datatype.
 */
export function toWriteValue(metric: string, datatype: number, value: unknown): SparkplugScalarValue {
  const type = dataTypeName(datatype) ?? String(datatype);
  const wrong = (expected: string): MetricWriteError =>
    new MetricWriteError('value', `value for metric ${JSON.stringify(metric)} must be ${expected} (${type}), got ${JSON.stringify(value)}`);
  const intRange = INT_RANGES[datatype];
  if (intRange !== undefined) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < intRange[0] || value > intRange[1]) {
      throw wrong(`an integer in ${intRange[0]}…${intRange[1]}`);
    }
    return value;
  }
  const bigRange = BIG_RANGES[datatype];
  if (bigRange !== undefined) {
    const big = bigFrom(value);
    if (big === undefined || big < bigRange[0] || big > bigRange[1]) throw wrong(`an integer in ${bigRange[0]}…${bigRange[1]} (a number, or decimal text past 2^53)`);
    return big;
  }
  switch (datatype) {
    case DataType.Float:
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a finite number');
      return Math.fround(value);
    case DataType.Double:
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a finite number');
      return value;
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw wrong('true or false');
      return value;
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case DataType.DateTime: {
      const ms = typeof value === 'string' ? Date.parse(value) : value;
      if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) throw wrong('ms since the epoch or an RFC 3339 time');
      return ms;
    }
  }
  throw new MetricWriteError('unsupported', `metric ${JSON.stringify(metric)} is a ${type}, which the hub cannot write`);
}

/** Whether the value a node reported equals the value written (a Float was rounded to float32 by toWriteValue). */
export function sameValue(written: SparkplugScalarValue, reported: unknown): boolean {
  if (typeof written === 'bigint' && typeof reported !== 'bigint') return reported === Number(written);
  return written === reported;
}
