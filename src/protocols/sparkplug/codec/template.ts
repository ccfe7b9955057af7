// Template definitions and instances (Sparkplug 3.0 §6.4.14–15) to and from protobuf messages.
//
// The codec reads and writes templates faithfully; whether a definition appears only in NBIRTH or an
// instance names a known definition is for the host session to judge, not the codec.

import { isDataTypeId, isScalarDataType } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import { rawScalar, rawScalarToWire, readMember, scalarFromRaw, scalarToWire } from './scalar.ts';
import { schema } from './schema.ts';
import type { SparkplugMetric, SparkplugScalarValue, SparkplugTemplate, SparkplugTemplateParameter } from './types.ts';
import { boolInput, checkWireTypes, has, optional, repeated, stringInput, valueMember } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

/** Decodes a member metric; passed in so that templates (which nest metrics) need no import cycle. */
export type MetricDecoder = (msg: WireMessage, path: string) => SparkplugMetric;
/** Encodes a member metric; passed in for the same reason. */
export type MetricEncoder = (metric: SparkplugMetric, path: string) => WireDraft;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function decodeParameter(msg: WireMessage, path: string): SparkplugTemplateParameter {
  checkWireTypes(msg, schema.parameter, path);
  const out: Mutable<SparkplugTemplateParameter> = {};
  const name = optional(msg, 'name', 'string');
  const type = optional(msg, 'type', 'number');
  if (name !== undefined) out.name = name;
  if (type !== undefined) {
    // [tck-id-payloads-template-parameter-type-value] a basic type (we also admit UUID).
    if (!isScalarDataType(type)) throw new MalformedPayloadError(`parameter type ${type} is not a scalar datatype`, { path });
    out.type = type;
  }
  const member = valueMember(msg, schema.valueMembers.parameter, path);
  if (member === undefined) return out;
  // [tck-id-payloads-template-parameter-value] uint32, uint64, float, double, bool or string.
  if (member === 'extension_value') throw new MalformedPayloadError('Parameter extension_value has no datatype mapping', { path });
  const raw = readMember(msg, member);
  out.value = type === undefined ? rawScalar(member, raw, path) : scalarFromRaw(type, member, raw, path);
  return out;
}

/** Decode a Template message, its member metrics through `decodeMetric`. */
export function decodeTemplate(msg: WireMessage, path: string, decodeMetric: MetricDecoder): SparkplugTemplate {
  checkWireTypes(msg, schema.template, path);
  const out: Mutable<SparkplugTemplate> = {
    metrics: repeated(msg, 'metrics').map((metric, i) => decodeMetric(metric as WireMessage, `${path}.metrics[${i}]`)),
    parameters: repeated(msg, 'parameters').map((parameter, i) => decodeParameter(parameter as WireMessage, `${path}.parameters[${i}]`)),
  };
  const version = optional(msg, 'version', 'string');
  const templateRef = optional(msg, 'template_ref', 'string');
  const isDefinition = optional(msg, 'is_definition', 'boolean');
  if (version !== undefined) out.version = version;
  if (templateRef !== undefined) out.templateRef = templateRef;
  if (isDefinition !== undefined) out.isDefinition = isDefinition;
  return out;
}

function encodeParameter(parameter: unknown, path: string): WireDraft {
  if (typeof parameter !== 'object' || parameter === null) throw new TypeError(`Sparkplug encode: ${path} must be a template parameter`);
  const { name, type, value } = parameter as SparkplugTemplateParameter;
  const draft: WireDraft = {};
  if (name !== undefined) draft['name'] = stringInput(name, `${path}.name`);
  if (type !== undefined) {
    if (!isDataTypeId(type) || !isScalarDataType(type)) {
      throw new RangeError(`Sparkplug encode: ${path} type ${String(type)} is not a scalar datatype`);
    }
    draft['type'] = type;
  }
  if (value === undefined) return draft;
  if (type === undefined) rawScalarToWire(draft, value as SparkplugScalarValue, path);
  else scalarToWire(draft, type, value, path);
  return draft;
}

/** Build a Template message, its member metrics through `encodeMetric`. */
export function encodeTemplate(template: unknown, path: string, encodeMetric: MetricEncoder): WireDraft {
  if (typeof template !== 'object' || template === null || !has(template as WireMessage, 'metrics')) {
    throw new TypeError(`Sparkplug encode: ${path} must be a Template { metrics, parameters }`);
  }
  const input = template as SparkplugTemplate;
  if (!Array.isArray(input.metrics) || !Array.isArray(input.parameters)) {
    throw new TypeError(`Sparkplug encode: ${path} metrics and parameters must be arrays`);
  }
  const draft: WireDraft = {
    metrics: input.metrics.map((metric, i) => encodeMetric(metric, `${path}.metrics[${i}]`)),
    parameters: input.parameters.map((parameter, i) => encodeParameter(parameter, `${path}.parameters[${i}]`)),
  };
  if (input.version !== undefined) draft['version'] = stringInput(input.version, `${path}.version`);
  if (input.templateRef !== undefined) draft['template_ref'] = stringInput(input.templateRef, `${path}.templateRef`);
  if (input.isDefinition !== undefined) draft['is_definition'] = boolInput(input.isDefinition, `${path}.isDefinition`);
  return draft;
}
