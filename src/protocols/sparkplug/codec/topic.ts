// Sparkplug B topic names (Sparkplug 3.0 §4.1): parse into a discriminated union, and format back.

import { MalformedTopicError } from './malformed-topic-error.ts';

/** The Sparkplug B namespace element ([tck-id-topic-structure-namespace-a]). */
export const SPARKPLUG_B_NAMESPACE = 'spBv1.0';
/** Message types addressed to or from an Edge Node; their topics have no device_id. */
export const NODE_MESSAGE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
/** Message types addressed to or from a Device; their topics end in a device_id. */
export const DEVICE_MESSAGE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;

export type NodeMessageType = (typeof NODE_MESSAGE_TYPES)[number];
export type DeviceMessageType = (typeof DEVICE_MESSAGE_TYPES)[number];
/** Every Sparkplug message type (§4.1.3). */
export type SparkplugMessageType = NodeMessageType | DeviceMessageType | 'STATE';

/** `spBv1.0/{groupId}/{NBIRTH|NDEATH|NDATA|NCMD}/{edgeNodeId}` */
export interface SparkplugNodeTopic {
  readonly kind: 'node';
  readonly groupId: string;
  readonly messageType: NodeMessageType;
  readonly edgeNodeId: string;
}

/** `spBv1.0/{groupId}/{DBIRTH|DDEATH|DDATA|DCMD}/{edgeNodeId}/{deviceId}` */
export interface SparkplugDeviceTopic {
  readonly kind: 'device';
  readonly groupId: string;
  readonly messageType: DeviceMessageType;
  readonly edgeNodeId: string;
  readonly deviceId: string;
}

/** `spBv1.0/STATE/{hostId}`: a Host Application's JSON (not protobuf) birth/death. */
export interface SparkplugStateTopic {
  readonly kind: 'state';
  readonly messageType: 'STATE';
  readonly hostId: string;
}

/** A parsed Sparkplug B topic. */
export type SparkplugTopic = SparkplugNodeTopic | SparkplugDeviceTopic | SparkplugStateTopic;

// [tck-id-topic-structure-namespace-valid-group-id] (and edge node, device): UTF-8 without + / #.
// MQTT also forbids U+0000 in topic names, and a lone surrogate has no UTF-8 form.
const FORBIDDEN_ID_CHARACTER = /[+#/\u0000]|\p{Cs}/u;

/** True when `id` may be a group_id, edge_node_id, device_id or host_id. */
export function isValidSparkplugId(id: string): boolean {
  return id.length > 0 && !FORBIDDEN_ID_CHARACTER.test(id);
}

function isNodeType(type: string): type is NodeMessageType {
  return (NODE_MESSAGE_TYPES as readonly string[]).includes(type);
}

function isDeviceType(type: string): type is DeviceMessageType {
  return (DEVICE_MESSAGE_TYPES as readonly string[]).includes(type);
}

function checkId(id: string, element: string, topic: string): string {
  if (id.length === 0) throw new MalformedTopicError(`${element} is empty`, topic);
  if (FORBIDDEN_ID_CHARACTER.test(id)) throw new MalformedTopicError(`${element} contains +, #, / or a character UTF-8 cannot carry`, topic);
  return id;
}

/**
 * Parse a topic name. Throws {@link MalformedTopicError} for another namespace, an unknown or
 * misplaced message type, a device_id where there must be none or none where there must be one,
 * or an id that is empty or holds `+`, `#` or `/`.
 */
export function parseTopic(topic: string): SparkplugTopic {
  const levels = topic.split('/');
  const [namespace, groupId, messageType, edgeNodeId, deviceId] = levels;
  // [tck-id-topic-structure-namespace-a]
  if (namespace !== SPARKPLUG_B_NAMESPACE) throw new MalformedTopicError(`namespace is not ${SPARKPLUG_B_NAMESPACE}`, topic);
  if (groupId === 'STATE' && levels.length === 3 && messageType !== undefined) {
    return { kind: 'state', messageType: 'STATE', hostId: checkId(messageType, 'host_id', topic) };
  }
  // [tck-id-topic-structure] namespace/group_id/message_type/edge_node_id/[device_id]
  if (groupId === undefined || messageType === undefined || edgeNodeId === undefined || levels.length > 5) {
    throw new MalformedTopicError('expected namespace/group_id/message_type/edge_node_id[/device_id]', topic);
  }
  checkId(groupId, 'group_id', topic);
  checkId(edgeNodeId, 'edge_node_id', topic);
  if (isNodeType(messageType)) {
    // [tck-id-topic-structure-namespace-device-id-non-associated-message-types]
    if (deviceId !== undefined) throw new MalformedTopicError(`${messageType} topics carry no device_id`, topic);
    return { kind: 'node', groupId, messageType, edgeNodeId };
  }
  if (isDeviceType(messageType)) {
    // [tck-id-topic-structure-namespace-device-id-associated-message-types]
    if (deviceId === undefined) throw new MalformedTopicError(`${messageType} topics need a device_id`, topic);
    return { kind: 'device', groupId, messageType, edgeNodeId, deviceId: checkId(deviceId, 'device_id', topic) };
  }
  if (messageType === 'STATE') throw new MalformedTopicError(`STATE topics are ${SPARKPLUG_B_NAMESPACE}/STATE/{host_id}`, topic);
  throw new MalformedTopicError(`unknown message type ${JSON.stringify(messageType)}`, topic);
}

/** Format a topic name; an empty id or one holding `+`, `#` or `/` throws {@link MalformedTopicError}. */
export function formatTopic(topic: SparkplugTopic): string {
  const ids: [string, string][] =
    topic.kind === 'state'
      ? [['host_id', topic.hostId]]
      : [
          ['group_id', topic.groupId],
          ['edge_node_id', topic.edgeNodeId],
          ...(topic.kind === 'device' ? [['device_id', topic.deviceId] as [string, string]] : []),
        ];
  const formatted =
    topic.kind === 'state'
      ? `${SPARKPLUG_B_NAMESPACE}/STATE/${topic.hostId}`
      : [SPARKPLUG_B_NAMESPACE, topic.groupId, topic.messageType, topic.edgeNodeId, ...(topic.kind === 'device' ? [topic.deviceId] : [])].join('/');
  for (const [element, id] of ids) checkId(id, element, formatted);
  const typeFits = topic.kind === 'state' || (topic.kind === 'node' ? isNodeType(topic.messageType) : isDeviceType(topic.messageType));
  if (!typeFits) throw new MalformedTopicError(`${String(topic.messageType)} is not a ${topic.kind} message type`, formatted);
  return formatted;
}
