// NDATA / DDATA (and BIRTH values) → telemetry points through the hub's pipeline.

import { HubError } from '../../../core/errors.ts';
import type { TelemetryPoint } from '../../../core/telemetry.ts';
import type { SparkplugPayload } from '../codec/types.ts';
import type { HostContext, HostSession } from './host-context.ts';
import type { MetricCatalog } from './metric-catalog.ts';
import { isOutcome, metricToPoint, typedValue } from './metric-points.ts';

/** Store every storable metric of `payload`, typed against `catalog`; returns the points submitted. */
export function storeMetrics(
  ctx: HostContext,
  session: HostSession,
  deviceId: string | undefined,
  uuid: string,
  catalog: MetricCatalog,
  payload: SparkplugPayload,
): number {
  const receivedAt = ctx.now();
  const fallbackTs = payload.timestamp ?? receivedAt;
  const confirming = ctx.confirmations.waiting(session.key);
  const points: TelemetryPoint[] = [];
  let unknown: string | undefined;
  let mismatch: string | undefined;
  for (const metric of payload.metrics) {
    const definition = catalog.resolve(metric);
    if (definition === undefined) {
      unknown ??= metric.alias !== undefined ? `alias ${metric.alias}` : `metric ${JSON.stringify(metric.name ?? '')}`;
      ctx.metrics.skipped.inc({ reason: metric.alias !== undefined ? 'unknown_alias' : 'unknown_metric' });
      continue;
    }
    const outcome = metricToPoint(uuid, metric, definition, fallbackTs);
    if ('point' in outcome) {
      points.push(outcome.point);
      if (outcome.point.historical !== true) catalog.record(definition.name, outcome.point, receivedAt);
    }
    else {
      ctx.metrics.skipped.inc({ reason: outcome.skipped });
      if (outcome.skipped === 'datatype_mismatch') mismatch ??= outcome.detail;
    }
    if (confirming) {
      const typed = typedValue(metric, definition);
      if (!isOutcome(typed)) ctx.confirmations.observe(session.key, deviceId, definition.name, typed);
    }
  }
  if (unknown !== undefined) {
    // A metric the BIRTH did not announce: the host's picture of the node is out of date (§5 "Receive Data", MAY).
    const reason = unknown.startsWith('alias') ? 'unknown_alias' : 'unknown_metric';
    ctx.rebirth.request(session.groupId, session.edgeNodeId, reason, `${deviceId === undefined ? 'node' : `device ${deviceId}`}: ${unknown}`);
  } else if (mismatch !== undefined) {
    ctx.rebirth.request(session.groupId, session.edgeNodeId, 'datatype_mismatch', mismatch);
  }
  if (points.length === 0) return 0;
  try {
    // The promise settles at commit; write failures are logged by the pipeline itself, and a Sparkplug
    // sender has no channel to be told. Only a QoS 1 message waits on it: its PUBACK (the receipt).
    const committed = ctx.ingress.report(points);
    ctx.receipt?.add(committed);
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    ctx.receipt?.refused(error);
    ctx.reject(error.code.toLowerCase(), { groupId: session.groupId, edgeNodeId: session.edgeNodeId, ...(deviceId !== undefined && { deviceId }) }, `${points.length} points not accepted: ${error.message}`);
    return 0;
  }
  return points.length;
}

/** An NDATA or DDATA message, in seq order, for a born node. */
export function ingestData(ctx: HostContext, session: HostSession, deviceId: string | undefined, payload: SparkplugPayload): void {
  if (deviceId === undefined) {
    ctx.ingress.seen(session.uuid);
    storeMetrics(ctx, session, undefined, session.uuid, session.node, payload);
    return;
  }
  const device = session.devices.get(deviceId);
  if (device === undefined || !device.alive) {
    // [tck-id-payloads-dbirth-order]: DDATA for a device with no DBIRTH in this session.
    ctx.reject('data_before_birth', { groupId: session.groupId, edgeNodeId: session.edgeNodeId, deviceId }, 'DDATA for a device without a DBIRTH');
    ctx.rebirth.request(session.groupId, session.edgeNodeId, 'unknown_device', `DDATA for device ${deviceId} before its DBIRTH`);
    return;
  }
  ctx.ingress.seen(session.uuid);
  ctx.ingress.seen(device.uuid);
  storeMetrics(ctx, session, deviceId, device.uuid, device.catalog, payload);
}
