// Device messages without a device level: `spBv1.0/{group}/DBIRTH|DDATA|DDEATH/{edge_node}`.
//
// Not Sparkplug 3.0 (§4.1.2 puts a device_id after the edge_node_id), but what seed 002's device
// publishes. The host takes such a message as one from the edge node's own device, whose device_id
// is the edge_node_id itself (docs/sparkplug.md "Devices without a device level").

import { isValidSparkplugId, SPARKPLUG_B_NAMESPACE } from '../codec/topic.ts';

export type NodelessMessageType = 'DBIRTH' | 'DDATA' | 'DDEATH';

export interface NodelessDeviceTopic {
  readonly groupId: string;
  readonly messageType: NodelessMessageType;
  readonly edgeNodeId: string;
  /** The device the message is taken to be about: the edge node's own device. */
  readonly deviceId: string;
}

const TYPES: ReadonlySet<string> = new Set<NodelessMessageType>(['DBIRTH', 'DDATA', 'DDEATH']);

/** The nodeless reading of a topic that failed to parse as Sparkplug; undefined when it is not one. */
export function parseNodelessDeviceTopic(topic: string): NodelessDeviceTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4) return undefined;
  const [namespace, groupId, messageType, edgeNodeId] = parts as [string, string, string, string];
  if (namespace !== SPARKPLUG_B_NAMESPACE || !TYPES.has(messageType) || !isValidSparkplugId(groupId) || !isValidSparkplugId(edgeNodeId)) return undefined;
  return { groupId, messageType: messageType as NodelessMessageType, edgeNodeId, deviceId: edgeNodeId };
}
