// BIRTH and DEATH certificates → the device registry (Sparkplug 3.0 §5 Edge Node / Device sessions).

import { deviceIdFor } from '../../../core/device-id.ts';
import type { JsonObject } from '../../../core/device.ts';
import { HubError } from '../../../core/errors.ts';
import { isStorableTimestamp } from '../../../core/timestamp.ts';
import type { MessageMeta } from '../../../core/ports/mqtt-bus.ts';
import type { SparkplugMetricValue, SparkplugPayload } from '../codec/types.ts';
import { BIRTH_SCHEMA_VERSION, birthZone, deviceStaticSchema, nodeStaticSchema, sparkplugDeviceHardwareId, type BirthOrigin } from './birth-schema.ts';
import { REBIRTH_METRIC } from './command-payloads.ts';
import { storeMetrics } from './data-ingest.ts';
import type { HostContext, HostSession } from './host-context.ts';
import { isBirthProblem, MetricCatalog } from './metric-catalog.ts';

/** The `bdSeq` metric of an NBIRTH / NDEATH: Int64 per the spec, UInt64 from Tahu; both accepted. */
export function bdSeqOf(payload: SparkplugPayload): bigint | undefined {
  const value = payload.metrics.find((m) => m.name === 'bdSeq')?.value;
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

function valuesByName(payload: SparkplugPayload): Map<string, SparkplugMetricValue> {
  const values = new Map<string, SparkplugMetricValue>();
  for (const metric of payload.metrics) if (metric.name !== undefined && metric.value !== undefined) values.set(metric.name, metric.value);
  return values;
}

/**
 * A BIRTH's own time when it is a storable one, else the time it arrived: a node may send any uint64,
 * and a time outside 1970…9999 would make every later answer that formats it fail (RangeError).
 */
function birthTime(timestamp: number | undefined, now: number): number {
  return timestamp !== undefined && isStorableTimestamp(timestamp) ? timestamp : now;
}

/** The session part of a device's dynamic state (`sparkplug`): whether its metrics are live or STALE. */
function sessionState(session: HostSession, state: 'online' | 'offline', since: number): JsonObject {
  return {
    sparkplug: {
      group_id: session.groupId,
      state,
      ...(session.bdSeq !== undefined && { bd_seq: Number(session.bdSeq) }),
      // STALE (§5): the last values stay readable, but the node no longer vouches for them.
      metrics: state === 'online' ? 'live' : 'stale',
      since,
    },
  };
}

/** Announce through the ingress; a refused BIRTH or a registry failure is logged and counted, never thrown at the bus. */
function register(ctx: HostContext, session: HostSession, origin: BirthOrigin, type: 'mcu' | 'sensor', hardwareId: string, staticSchema: JsonObject, zone?: string): boolean {
  const where = { groupId: origin.groupId, edgeNodeId: origin.edgeNodeId, ...(origin.deviceId !== undefined && { deviceId: origin.deviceId }) };
  try {
    ctx.ingress
      .announce({ hardwareId, type, parentId: type === 'mcu' ? null : session.uuid, staticSchema, schemaVersion: BIRTH_SCHEMA_VERSION, protocol: 'sparkplug', ...(zone !== undefined && { zone }) })
      .catch((error: unknown) => ctx.logger.error({ err: error, ...where }, 'sparkplug: registration failed'));
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    ctx.reject('invalid_birth', where, error.message);
    return false;
  }
  return true;
}

/** A born device's session state (live metrics) in its dynamic state. */
function setOnline(ctx: HostContext, uuid: string, state: JsonObject): void {
  const device = ctx.registry.get(uuid);
  if (device === undefined || device.status === 'deregistered') return;
  ctx.ingress.seen(uuid, { document: state });
}

/** The device's session ended: offline, metrics STALE, its pending commands failed (by the ingress). */
function setOffline(ctx: HostContext, uuid: string, reason: string, state: JsonObject): number {
  return ctx.ingress.disconnected(uuid, reason, { state: { document: state }, protocol: 'sparkplug' });
}

/** NBIRTH: a new session (or a rebirth) of an edge node; its devices must birth again after it. */
export function handleNodeBirth(ctx: HostContext, session: HostSession, payload: SparkplugPayload): void {
  const origin = { groupId: session.groupId, edgeNodeId: session.edgeNodeId };
  const catalog = MetricCatalog.fromBirth(payload.metrics);
  if (isBirthProblem(catalog)) {
    session.born = false;
    ctx.reject(catalog.reason, origin, `NBIRTH refused: ${catalog.detail}`);
    ctx.rebirth.request(session.groupId, session.edgeNodeId, catalog.reason === 'duplicate_alias' ? 'duplicate_alias' : 'invalid_birth', catalog.detail);
    return;
  }
  const bdSeq = bdSeqOf(payload);
  // [tck-id-payloads-nbirth-bdseq]; [tck-id-topics-nbirth-bdseq-increment] (Tahu JS keeps it at 0: tolerated).
  if (bdSeq === undefined) ctx.warnOnce(session, 'nbirth_without_bdseq', 'NBIRTH carries no bdSeq metric; its NDEATH cannot be matched');
  else if (session.births > 0 && !session.born && bdSeq === session.bdSeq) {
    ctx.warnOnce(session, 'bdseq_not_incremented', `bdSeq ${bdSeq} repeated on a new connection; a late NDEATH of the old one would be taken as current`);
  }
  // [tck-id-topics-nbirth-rebirth-metric]: Tahu JS leaves it to the application; tolerated.
  if (catalog.byName(REBIRTH_METRIC) === undefined) ctx.warnOnce(session, 'nbirth_without_rebirth_metric', `NBIRTH lacks ${REBIRTH_METRIC}`);
  if (payload.seq === undefined) ctx.warnOnce(session, 'nbirth_without_seq', 'NBIRTH carries no seq; counting from 0');
  const now = ctx.now();
  // Devices of the previous birth are over until their DBIRTH arrives again.
  for (const device of session.devices.values()) {
    // Not a disconnect: a write waiting for confirmation may still be confirmed by the DBIRTH values.
    if (device.alive) ctx.ingress.stale(device.uuid, { document: sessionState(session, 'offline', now) });
  }
  session.devices.clear();
  session.window.reset(Number((payload.seq ?? 0n) % 256n));
  session.node = catalog;
  session.born = true;
  session.bdSeq = bdSeq;
  session.birthTimestamp = birthTime(payload.timestamp, now);
  session.births++;
  const values = valuesByName(payload);
  const existing = ctx.registry.get(session.uuid);
  if (!register(ctx, session, origin, 'mcu', session.edgeNodeId, nodeStaticSchema(origin, catalog, values, existing), birthZone(values))) {
    session.born = false;
    return;
  }
  setOnline(ctx, session.uuid, sessionState(session, 'online', session.birthTimestamp));
  // [tck-id-operational-behavior-data-publish-nbirth-values]: BIRTH values are current values; store them.
  storeMetrics(ctx, session, undefined, session.uuid, catalog, payload);
}

/** DBIRTH, in seq order: a device of a born node starts (or restarts) its session. */
export function handleDeviceBirth(ctx: HostContext, session: HostSession, deviceId: string, payload: SparkplugPayload): void {
  const origin = { groupId: session.groupId, edgeNodeId: session.edgeNodeId, deviceId };
  // [tck-id-payloads-alias-uniqueness]: aliases are unique across the node's NBIRTH and all its DBIRTHs.
  const catalog = MetricCatalog.fromBirth(payload.metrics, (alias) => session.aliasOwner(alias, deviceId));
  const hardwareId = sparkplugDeviceHardwareId(session.edgeNodeId, deviceId);
  const uuid = deviceIdFor(hardwareId);
  const previous = session.devices.get(deviceId);
  if (isBirthProblem(catalog)) {
    if (previous !== undefined) previous.alive = false;
    ctx.reject(catalog.reason, origin, `DBIRTH refused: ${catalog.detail}`);
    ctx.rebirth.request(session.groupId, session.edgeNodeId, catalog.reason === 'duplicate_alias' ? 'duplicate_alias' : 'invalid_birth', `${deviceId}: ${catalog.detail}`);
    return;
  }
  const values = valuesByName(payload);
  if (!register(ctx, session, origin, 'sensor', hardwareId, deviceStaticSchema(origin, catalog, values, ctx.registry.get(uuid)))) {
    if (previous !== undefined) previous.alive = false;
    return;
  }
  session.devices.set(deviceId, { deviceId, uuid, catalog, alive: true });
  setOnline(ctx, uuid, sessionState(session, 'online', birthTime(payload.timestamp, ctx.now())));
  storeMetrics(ctx, session, deviceId, uuid, catalog, payload);
}

/**
 * NDEATH: honoured only when its bdSeq matches the current NBIRTH's ([tck-id-payloads-ndeath-bdseq]);
 * a late Will of an older connection is ignored. The node and its devices go offline and their
 * metrics STALE, at the host's current time ([tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-offline],
 * […-ndeath-node-tags-stale], […-ndeath-devices-offline], […-ndeath-devices-tags-stale]).
 */
export function handleNodeDeath(ctx: HostContext, session: HostSession, payload: SparkplugPayload, meta: MessageMeta): void {
  const where = { groupId: session.groupId, edgeNodeId: session.edgeNodeId };
  const bdSeq = bdSeqOf(payload);
  if (!session.born) {
    ctx.logger.debug({ ...where, bdSeq: bdSeq?.toString() }, 'sparkplug: NDEATH for an edge node not born; ignored');
    return;
  }
  if (bdSeq !== undefined && session.bdSeq !== undefined && bdSeq !== session.bdSeq) {
    ctx.reject('stale_ndeath', where, `NDEATH bdSeq ${bdSeq} does not match the current NBIRTH's ${session.bdSeq}; ignored`);
    return;
  }
  if (bdSeq === undefined) ctx.warnOnce(session, 'ndeath_without_bdseq', 'NDEATH carries no bdSeq; taken as the current session ending');
  // [tck-id-payloads-ndeath-will-message-qos]: a host subscribed at QoS 1 sees a QoS 0 Will as QoS 0 (Tahu JS, tahu#442).
  if (meta.qos === 0) ctx.warnOnce(session, 'ndeath_qos0', 'NDEATH arrived at QoS 0; Sparkplug requires a QoS 1 Will');
  session.window.flush();
  const now = ctx.now();
  session.born = false;
  const stale = sessionState(session, 'offline', now);
  let failed = 0;
  for (const device of session.devices.values()) {
    device.alive = false;
    failed += setOffline(ctx, device.uuid, 'Sparkplug NDEATH', stale);
  }
  ctx.confirmations.dropSession(session.key);
  failed += setOffline(ctx, session.uuid, 'Sparkplug NDEATH', stale);
  ctx.logger.info({ ...where, bdSeq: bdSeq?.toString(), failedCommands: failed }, 'sparkplug: edge node offline');
}

/** DDEATH, in seq order: the device goes offline and its metrics STALE as of the DDEATH timestamp (…-ddeath-devices-offline, …-ddeath-devices-tags-stale). */
export function handleDeviceDeath(ctx: HostContext, session: HostSession, deviceId: string, payload: SparkplugPayload): void {
  const device = session.devices.get(deviceId);
  if (device === undefined || !device.alive) {
    ctx.logger.debug({ groupId: session.groupId, edgeNodeId: session.edgeNodeId, deviceId }, 'sparkplug: DDEATH for a device not born; ignored');
    return;
  }
  device.alive = false;
  setOffline(ctx, device.uuid, 'Sparkplug DDEATH', sessionState(session, 'offline', payload.timestamp ?? ctx.now()));
  ctx.ingress.seen(session.uuid);
}
