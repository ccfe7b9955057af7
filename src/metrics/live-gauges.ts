/**
 * Metrics read from live state at scrape time: the fleet (devices by type, status and protocol, the
 * seed dashboard's two headline figures) and the telemetry pipeline (points by stage, backlog).
 */
import { Gauge, type Registry } from 'prom-client';
import { DEVICE_PROTOCOLS, DEVICE_STATUSES, DEVICE_TYPES, type Device } from '../core/device.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';
import type { PipelineStats, TelemetryPipeline } from '../core/telemetry-pipeline.ts';
import { counter, gauge, labelProduct } from './declare.ts';

export interface MetricSources {
  readonly registry: DeviceRegistry;
  readonly pipeline: TelemetryPipeline;
  readonly pendingCommands: () => number;
}

/** Counted once per scrape for all the fleet gauges. */
interface FleetFigures {
  readonly byTypeStatus: Map<string, number>;
  readonly onlineByProtocol: Map<string, number>;
  /** LwM2M endpoints (MCUs, not their IPSO objects) with a live registration. */
  readonly lwm2mActive: number;
  /** Sparkplug devices (DBIRTH, or the node's own device when it births without a device level) online. */
  readonly sparkplugDevices: number;
  /** Sparkplug edge nodes born and not dead. */
  readonly sparkplugNodes: number;
}

function countFleet(registry: DeviceRegistry): FleetFigures {
  const byTypeStatus = new Map<string, number>();
  const onlineByProtocol = new Map<string, number>();
  let lwm2mActive = 0;
  let sparkplugDevices = 0;
  let sparkplugNodes = 0;
  const count = (d: Device): void => {
    const key = `${d.type}\u0000${d.status}`;
    byTypeStatus.set(key, (byTypeStatus.get(key) ?? 0) + 1);
    if (d.status !== 'online') return;
    for (const p of d.protocols) onlineByProtocol.set(p, (onlineByProtocol.get(p) ?? 0) + 1);
    const mcu = d.parentId === null;
    if (mcu && d.protocols.includes('lwm2m')) lwm2mActive++;
    if (d.protocols.includes('sparkplug')) {
      if (mcu) sparkplugNodes++;
      else sparkplugDevices++;
    }
  };
  for (const d of registry.list({})) count(d);
  for (const d of registry.list({ status: 'deregistered' })) count(d);
  return { byTypeStatus, onlineByProtocol, lwm2mActive, sparkplugDevices, sparkplugNodes };
}

const POINT_STAGES = ['accepted', 'committed', 'rejected', 'refused', 'dropped'] as const satisfies readonly (keyof PipelineStats)[];

export function attachLiveGauges(target: Registry, sources: MetricSources): void {
  // All fleet gauges of one scrape share one count: prom-client calls their collect() in one synchronous pass.
  let figures: FleetFigures | undefined;
  const fleet = (): FleetFigures => {
    if (figures === undefined) {
      figures = countFleet(sources.registry);
      queueMicrotask(() => (figures = undefined));
    }
    return figures;
  };

  gauge(target, {
    name: 'llmiot_devices',
    help: 'Registered devices by type and status.',
    labelNames: ['type', 'status'],
    collect() {
      const { byTypeStatus } = fleet();
      for (const { type, status } of labelProduct({ type: DEVICE_TYPES, status: DEVICE_STATUSES })) this.set({ type, status }, byTypeStatus.get(`${type}\u0000${status}`) ?? 0);
    },
  });
  gauge(target, {
    name: 'llmiot_devices_online',
    help: 'Online devices by protocol (a dual-protocol device counts once per protocol).',
    labelNames: ['protocol'],
    collect() {
      const { onlineByProtocol } = fleet();
      for (const protocol of DEVICE_PROTOCOLS) this.set({ protocol }, onlineByProtocol.get(protocol) ?? 0);
    },
  });
  const lwm2mHelp = 'Devices (LwM2M endpoints, not their IPSO objects) with a live LwM2M registration.';
  const sparkplugHelp = "Sparkplug devices online (born with DBIRTH, or an edge node's own device when it births without a device level).";
  gauge(target, { name: 'llmiot_lwm2m_active_devices', help: lwm2mHelp, collect: setTo(() => fleet().lwm2mActive) });
  gauge(target, { name: 'llmiot_sparkplug_devices_online', help: sparkplugHelp, collect: setTo(() => fleet().sparkplugDevices) });
  gauge(target, { name: 'llmiot_sparkplug_edge_nodes_online', help: 'Sparkplug edge nodes online (NBIRTH received, no NDEATH since).', collect: setTo(() => fleet().sparkplugNodes) });
  // The seed's dashboard (shared seed 002) queried these two names; kept as aliases, same values.
  new Gauge({ name: 'lwm2m_active_devices', help: `Alias of llmiot_lwm2m_active_devices (the seed dashboard's name). ${lwm2mHelp}`, registers: [target], collect: setTo(() => fleet().lwm2mActive) });
  new Gauge({ name: 'sparkplug_devices_online', help: `Alias of llmiot_sparkplug_devices_online (the seed dashboard's name). ${sparkplugHelp}`, registers: [target], collect: setTo(() => fleet().sparkplugDevices) });

  // The pipeline keeps running totals; the counter follows them by their increase since the last scrape.
  const seen: Record<string, number> = {};
  counter(target, {
    name: 'llmiot_telemetry_points_total',
    help: 'Telemetry points by stage: accepted, committed (stored), rejected (overload), refused (invalid points, refused alone), dropped (store failure).',
    labelNames: ['stage'],
    initial: POINT_STAGES.map((stage) => ({ stage })),
    collect() {
      const stats = sources.pipeline.stats();
      for (const stage of POINT_STAGES) {
        const increase = stats[stage] - (seen[stage] ?? 0);
        if (increase > 0) this.inc({ stage }, increase);
        seen[stage] = stats[stage];
      }
    },
  });
  let batchesSeen = 0;
  counter(target, {
    name: 'llmiot_telemetry_batches_total',
    help: 'Telemetry batches written to the store (one transaction each).',
    collect() {
      const { batches } = sources.pipeline.stats();
      if (batches > batchesSeen) this.inc(batches - batchesSeen);
      batchesSeen = batches;
    },
  });
  gauge(target, { name: 'llmiot_telemetry_pending_points', help: 'Telemetry points accepted and not yet committed (the backlog).', collect: setTo(() => sources.pipeline.stats().pending) });
  gauge(target, { name: 'llmiot_commands_pending', help: 'Commands sent and awaiting an answer.', collect: setTo(sources.pendingCommands) });
}

function setTo(read: () => number): (this: Gauge) => void {
  return function collect(this: Gauge) {
    this.set(read());
  };
}
