// Loads sparkplug_b.proto once, at module load, into protobufjs message types (internal to the codec).
//
// The .proto is read from beside this module, so a build must copy it next to the compiled
// schema.js (dist/protocols/sparkplug/sparkplug_b.proto).

import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { Type } from 'protobufjs';
import type { WireDraft, WireMessage } from './wire.ts';

/** The protobufjs types of every Sparkplug B message. */
export interface SparkplugSchema {
  readonly payload: Type;
  readonly metric: Type;
  readonly metaData: Type;
  readonly propertySet: Type;
  readonly propertyValue: Type;
  readonly propertySetList: Type;
  readonly dataSet: Type;
  readonly row: Type;
  readonly dataSetValue: Type;
  readonly template: Type;
  readonly parameter: Type;
  /** The members of each message's `value` oneof. */
  readonly valueMembers: {
    readonly metric: ReadonlySet<string>;
    readonly propertyValue: ReadonlySet<string>;
    readonly dataSetValue: ReadonlySet<string>;
    readonly parameter: ReadonlySet<string>;
  };
}

const PACKAGE = 'org.eclipse.tahu.protobuf.Payload';

function loadSchema(): SparkplugSchema {
  const location = new URL('./sparkplug_b.proto', import.meta.url);
  let text: string;
  try {
    text = readFileSync(location, 'utf8');
  } catch (cause) {
    throw new Error(`Sparkplug schema not found at ${location.pathname}: the build must copy sparkplug_b.proto beside schema.js`, { cause });
  }
  // keepCase: field names stay as the .proto spells them (int_value, not intValue).
  const root = protobuf.parse(text, { keepCase: true }).root;
  root.resolveAll();
  const type = (name: string): Type => root.lookupType(name === '' ? PACKAGE : `${PACKAGE}.${name}`);
  const metric = type('Metric');
  const propertyValue = type('PropertyValue');
  const dataSetValue = type('DataSet.DataSetValue');
  const parameter = type('Template.Parameter');
  return {
    payload: type(''),
    metric,
    metaData: type('MetaData'),
    propertySet: type('PropertySet'),
    propertyValue,
    propertySetList: type('PropertySetList'),
    dataSet: type('DataSet'),
    row: type('DataSet.Row'),
    dataSetValue,
    template: type('Template'),
    parameter,
    valueMembers: {
      metric: flattenValueOneof(metric),
      propertyValue: flattenValueOneof(propertyValue),
      dataSetValue: flattenValueOneof(dataSetValue),
      parameter: flattenValueOneof(parameter),
    },
  };
}

/**
 * Turn the `value` oneof into plain optional fields and return its member names. protobufjs keeps a
 * oneof's "which member" state by deleting every other member on each decoded value, which made
 * decoding about three times slower; the wire format is the same, and the codec finds the member
 * itself (see wire.ts `valueMember`).
 */
function flattenValueOneof(type: Type): ReadonlySet<string> {
  const oneof = type.oneofs?.['value'];
  if (oneof === undefined) throw new Error(`${type.fullName} has no value oneof`);
  const members = oneof.fieldsArray.map((field) => field.name);
  for (const field of [...oneof.fieldsArray]) oneof.remove(field);
  type.remove(oneof);
  return new Set(members);
}

/** The loaded schema. */
export const schema: SparkplugSchema = loadSchema();

/**
 * Parse bytes as a Payload message. Throws protobufjs's own errors; the codec wraps them. Unknown
 * fields are kept (`$unknowns`) so that wire-type mismatches can be reported (see wire.ts).
 */
export function readPayloadMessage(bytes: Uint8Array): WireMessage {
  // A plain Uint8Array view makes protobufjs use its generic reader, whose bytes are plain Uint8Arrays.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = protobuf.Reader.create(view);
  reader.discardUnknown = false;
  return schema.payload.decode(reader) as unknown as WireMessage;
}

/** Serialise a Payload draft (plain object with .proto field names). */
export function writePayloadMessage(draft: WireDraft): Uint8Array {
  const bytes = schema.payload.encode(draft).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
