// What the parts of the Sparkplug host share: the hub's core services and the host's own helpers.

import type { CommitReceipt } from '../../../core/commit-receipt.ts';
import type { DeviceIngress, DeviceLookup } from '../../../core/device-ingress.ts';
import type { Logger } from '../../../log/logger.ts';
import type { SparkplugPayload } from '../codec/types.ts';
import type { ControlCommands } from './control-commands.ts';
import type { EdgeNodeSession } from './edge-node-session.ts';
import type { SparkplugHostMetrics } from './host-metrics.ts';
import type { RebirthRequester } from './rebirth-requester.ts';
import type { WriteConfirmations } from './write-confirmations.ts';

/** An edge node session over decoded payloads: the only kind the host keeps. */
export type HostSession = EdgeNodeSession<SparkplugPayload>;

export interface HostContext {
  /** Read side of the fleet; every write goes through `ingress`. */
  readonly registry: DeviceLookup;
  readonly ingress: DeviceIngress;
  readonly logger: Logger;
  readonly metrics: SparkplugHostMetrics;
  readonly now: () => number;
  readonly rebirth: RebirthRequester;
  readonly confirmations: WriteConfirmations;
  /** Control commands (reboot, device reset / calibrate) published or being published. */
  readonly controls: ControlCommands;
  /** Log (with the edge node id) and count a refused message. */
  reject(reason: string, where: { groupId?: string; edgeNodeId?: string; deviceId?: string }, detail: string): void;
  /** Log a tolerated deviation from the spec, once per edge node and kind. */
  warnOnce(session: HostSession, kind: string, detail: string): void;
  /** The receipt of the QoS 1 message being processed: the commits it starts hold its PUBACK. */
  receipt: CommitReceipt | undefined;
}
