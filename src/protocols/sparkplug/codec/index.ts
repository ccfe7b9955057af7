// Public surface of the Sparkplug B payload codec, topic parser and compression (re-exports only).

export { decodePayload, encodePayload } from './codec.ts';
export type { DecodePayloadOptions, EncodePayloadOptions } from './codec.ts';
export {
  COMPRESSED_PAYLOAD_UUID,
  DEFAULT_MAX_INFLATED_BYTES,
  compressPayload,
  decodeMaybeCompressed,
  decompressPayload,
  isCompressedPayload,
} from './compression.ts';
export type { CompressionAlgorithm, DecodeMaybeCompressedOptions } from './compression.ts';
export { DataType, dataTypeId, dataTypeName, isArrayDataType, isDataTypeId, isMetricDataType, isScalarDataType } from './datatypes.ts';
export type { ArrayDataTypeId, DataTypeId, DataTypeName, MetricDataTypeId, ScalarDataTypeId } from './datatypes.ts';
export { MalformedPayloadError } from './malformed-payload-error.ts';
export type { MalformedPayloadErrorOptions } from './malformed-payload-error.ts';
export { MalformedTopicError } from './malformed-topic-error.ts';
export { resolveMetricValue } from './metric-value.ts';
export { DEVICE_MESSAGE_TYPES, NODE_MESSAGE_TYPES, SPARKPLUG_B_NAMESPACE, formatTopic, isValidSparkplugId, parseTopic } from './topic.ts';
export type {
  DeviceMessageType,
  NodeMessageType,
  SparkplugDeviceTopic,
  SparkplugMessageType,
  SparkplugNodeTopic,
  SparkplugStateTopic,
  SparkplugTopic,
} from './topic.ts';
export type {
  SparkplugArrayValue,
  SparkplugDataSet,
  SparkplugMetaData,
  SparkplugMetric,
  SparkplugMetricValue,
  SparkplugPayload,
  SparkplugPropertySet,
  SparkplugPropertyValue,
  SparkplugScalarValue,
  SparkplugTemplate,
  SparkplugTemplateParameter,
  SparkplugValueByType,
} from './types.ts';
