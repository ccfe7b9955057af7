// What the host knows about one Edge Node's Sparkplug session: birth state, bdSeq, seq window, metric catalogs.

import type { CommitReceipt } from '../../../core/commit-receipt.ts';
import { MetricCatalog } from './metric-catalog.ts';
import { SequenceWindow, type SequenceWindowOptions } from './sequence-window.ts';

/** A Sparkplug Device under an edge node, as its latest DBIRTH described it. */
export interface DeviceSession {
  readonly deviceId: string;
  /** Hub UUID of the device. */
  readonly uuid: string;
  catalog: MetricCatalog;
  /** Born and not dead: DBIRTH seen, no DDEATH since. */
  alive: boolean;
}

/** A message waiting in the seq window: its type, the device it is about, and the decoded payload. */
export interface SequencedMessage<P> {
  readonly type: 'DBIRTH' | 'DDEATH' | 'NDATA' | 'DDATA';
  readonly deviceId: string | undefined;
  readonly payload: P;
  /** A QoS 1 message's receipt: its PUBACK waits until it is processed (or dropped) and its points committed. */
  readonly receipt?: CommitReceipt;
}

/** `{group_id}/{edge_node_id}`: the key of a session (group and node together are unique, §4.1). */
export function sessionKey(groupId: string, edgeNodeId: string): string {
  return `${groupId}/${edgeNodeId}`;
}

export class EdgeNodeSession<P> {
  readonly groupId: string;
  readonly edgeNodeId: string;
  readonly key: string;
  /** Hub UUID of the edge node (deterministic from edge_node_id). */
  readonly uuid: string;
  readonly window: SequenceWindow<SequencedMessage<P>>;
  /** NBIRTH seen and no matching NDEATH since. */
  born = false;
  /** bdSeq of the current (or last) NBIRTH; undefined when it carried none. */
  bdSeq: bigint | undefined;
  /** Payload timestamp of the current NBIRTH. */
  birthTimestamp = 0;
  /** Number of NBIRTHs seen since the hub started (1 = first session). */
  births = 0;
  /** Host time of the last message from this node or its devices (0 = none yet). */
  lastMessageAt = 0;
  /**
   * Born implicitly by a device message without a device level (`spBv1.0/{g}/DBIRTH/{node}`, seed 002),
   * not by an NBIRTH: it has no bdSeq and no will, so the liveness monitor, not an NDEATH, ends it.
   */
  implicit = false;
  /**
   * MQTT client id of the connection the node was born on, when the broker tells it (embedded): only
   * that connection, or the broker publishing its will, may speak for the node until the next birth.
   */
  clientId: string | undefined;
  node: MetricCatalog = MetricCatalog.empty();
  readonly devices = new Map<string, DeviceSession>();
  /** Lenience warnings already logged for this node (each kind once). */
  readonly warned = new Set<string>();

  constructor(groupId: string, edgeNodeId: string, uuid: string, window: SequenceWindowOptions<SequencedMessage<P>>) {
    this.groupId = groupId;
    this.edgeNodeId = edgeNodeId;
    this.key = sessionKey(groupId, edgeNodeId);
    this.uuid = uuid;
    this.window = new SequenceWindow(window);
  }

  /** Who owns `alias` elsewhere on this node than in device `except` (undefined = the node itself). */
  aliasOwner(alias: bigint, except: string | undefined): string | undefined {
    if (except !== undefined) {
      const owner = this.node.aliasOwner(alias);
      if (owner !== undefined) return owner;
    }
    for (const device of this.devices.values()) {
      if (device.deviceId === except || !device.alive) continue;
      const owner = device.catalog.aliasOwner(alias);
      if (owner !== undefined) return `${device.deviceId}: ${owner}`;
    }
    return undefined;
  }

  /** Devices born in this session. */
  aliveDevices(): DeviceSession[] {
    return [...this.devices.values()].filter((d) => d.alive);
  }
}
