// Metric MetaData (Sparkplug 3.0 §6.4.7) to and from its protobuf message.

import { schema } from './schema.ts';
import type { SparkplugMetaData } from './types.ts';
import { boolInput, checkWireTypes, optional, optionalU64, stringInput, u64Input } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

const STRING_FIELDS = [
  ['contentType', 'content_type'],
  ['fileName', 'file_name'],
  ['fileType', 'file_type'],
  ['md5', 'md5'],
  ['description', 'description'],
] as const;

/** Decode a MetaData message, keeping only the fields present on the wire. */
export function decodeMetaData(msg: WireMessage, path: string): SparkplugMetaData {
  checkWireTypes(msg, schema.metaData, path);
  const out: { -readonly [K in keyof SparkplugMetaData]: SparkplugMetaData[K] } = {};
  const isMultiPart = optional(msg, 'is_multi_part', 'boolean');
  const size = optionalU64(msg, 'size');
  const seq = optionalU64(msg, 'seq');
  if (isMultiPart !== undefined) out.isMultiPart = isMultiPart;
  if (size !== undefined) out.size = size;
  if (seq !== undefined) out.seq = seq;
  for (const [key, field] of STRING_FIELDS) {
    const value = optional(msg, field, 'string');
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Build a MetaData message. */
export function encodeMetaData(metadata: SparkplugMetaData, path: string): WireDraft {
  if (typeof metadata !== 'object' || metadata === null) throw new TypeError(`Sparkplug encode: ${path} must be a MetaData object`);
  const draft: WireDraft = {};
  if (metadata.isMultiPart !== undefined) draft['is_multi_part'] = boolInput(metadata.isMultiPart, `${path}.isMultiPart`);
  if (metadata.size !== undefined) draft['size'] = u64Input(metadata.size, `${path}.size`);
  if (metadata.seq !== undefined) draft['seq'] = u64Input(metadata.seq, `${path}.seq`);
  for (const [key, field] of STRING_FIELDS) {
    const value = metadata[key];
    if (value !== undefined) draft[field] = stringInput(value, `${path}.${key}`);
  }
  return draft;
}
