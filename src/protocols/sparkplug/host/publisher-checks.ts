/**
 * Hub-side checks of who publishes for an edge node (docs/sparkplug.md, "Hub-side checks"). On an
 * external broker the publisher is unknown (no client id) and the broker's ACL decides; on the
 * embedded one each check below applies.
 */
import type { MessageMeta } from '../../../core/ports/mqtt-bus.ts';
import type { HostContext, HostSession } from './host-context.ts';

/**
 * An edge node id that names a device another protocol registered (a native MCU, a LwM2M endpoint)
 * is born only from that device's own connection (client id = hardware id, one device speaking two
 * protocols): a birth from any other connection would rewrite it.
 */
export function mayBirth(ctx: HostContext, groupId: string, edgeNodeId: string, meta: MessageMeta): boolean {
  if (meta.clientId === undefined || meta.clientId === edgeNodeId) return true;
  const device = ctx.registry.getByHardwareId(edgeNodeId);
  if (device === undefined || device.status === 'deregistered' || device.protocols.includes('sparkplug')) return true;
  ctx.reject('foreign_birth', { groupId, edgeNodeId }, `birth from client ${meta.clientId} for ${edgeNodeId}, a ${device.protocols.join('+')} device; ignored`);
  return false;
}

/** A born node's messages come only from the connection it was born on. */
export function fromBirthConnection(ctx: HostContext, session: HostSession, type: string, meta: MessageMeta, deviceId: string | undefined): boolean {
  if (meta.clientId === undefined || session.clientId === undefined || meta.clientId === session.clientId) return true;
  const where = { groupId: session.groupId, edgeNodeId: session.edgeNodeId, ...(deviceId !== undefined && { deviceId }) };
  ctx.reject('foreign_publisher', where, `${type} from client ${meta.clientId}, but the node was born on ${session.clientId}; ignored`);
  return false;
}
