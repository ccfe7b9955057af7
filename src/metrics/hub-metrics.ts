/** HubMetrics: Prometheus metrics of one hub (its own registry, so several hubs can share a process). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeviceRegistry } from '../core/device-registry.ts';
import type { TelemetryPipeline } from '../core/telemetry-pipeline.ts';

export interface MetricSources {
  readonly registry: DeviceRegistry;
  readonly pipeline: TelemetryPipeline;
  readonly pendingCommands: () => number;
}

export class HubMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: 'llmiot_messages_received_total',
    help: 'Device messages received, by protocol and message type.',
    labelNames: ['protocol', 'type'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'llmiot_messages_rejected_total',
    help: 'Device messages rejected (logged and dropped), by protocol and reason.',
    labelNames: ['protocol', 'reason'] as const,
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'llmiot_commands_total',
    help: 'Server-to-device commands finished, by method and final state.',
    labelNames: ['method', 'state'] as const,
    registers: [this.registry],
  });
  readonly rpcRequests = new Counter({
    name: 'llmiot_rpc_requests_total',
    help: 'JSON-RPC requests served, by transport.',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  /** Pre-labelled hot-path counters. */
  readonly messages = { native: this.received.labels('native', 'jsonrpc') };

  /** Wire gauges that read live state at scrape time. */
  attach(sources: MetricSources, options: { processMetrics?: boolean } = {}): void {
    const devices = new Gauge({
      name: 'llmiot_devices',
      help: 'Registered devices by type and status.',
      labelNames: ['type', 'status'] as const,
      registers: [this.registry],
      collect() {
        devices.reset();
        for (const d of sources.registry.list({})) devices.inc({ type: d.type, status: d.status });
        for (const d of sources.registry.list({ status: 'deregistered' })) devices.inc({ type: d.type, status: d.status });
      },
    });
    const byProtocol = new Gauge({
      name: 'llmiot_devices_online',
      help: 'Online devices by protocol (a dual-protocol device counts once per protocol).',
      labelNames: ['protocol'] as const,
      registers: [this.registry],
      collect() {
        byProtocol.reset();
        for (const d of sources.registry.list({ status: 'online' })) for (const p of d.protocols) byProtocol.inc({ protocol: p });
      },
    });
    // The dual-protocol dashboard's two headline figures (seed 002), by their established names.
    const lwm2mActive = new Gauge({
      name: 'lwm2m_active_devices',
      help: 'Devices (LwM2M endpoints, not their IPSO objects) with a live LwM2M registration.',
      registers: [this.registry],
      collect() {
        lwm2mActive.set(sources.registry.list({ status: 'online', protocol: 'lwm2m' }).filter((d) => d.parentId === null).length);
      },
    });
    const sparkplugOnline = new Gauge({
      name: 'sparkplug_devices_online',
      help: 'Sparkplug edge nodes online (born and not dead); their Sparkplug devices are in llmiot_devices.',
      registers: [this.registry],
      collect() {
        sparkplugOnline.set(sources.registry.list({ status: 'online', protocol: 'sparkplug' }).filter((d) => d.parentId === null).length);
      },
    });
    const points = new Gauge({
      name: 'llmiot_telemetry_points',
      help: 'Telemetry points since start: accepted, committed, rejected (overload), refused (invalid points, refused alone), dropped (store failure), pending.',
      labelNames: ['stage'] as const,
      registers: [this.registry],
      collect() {
        const s = sources.pipeline.stats();
        for (const stage of ['accepted', 'committed', 'rejected', 'refused', 'dropped', 'pending'] as const) points.set({ stage }, s[stage]);
      },
    });
    const pending = new Gauge({
      name: 'llmiot_commands_pending',
      help: 'Commands sent and awaiting an answer.',
      registers: [this.registry],
      collect() {
        pending.set(sources.pendingCommands());
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'llmiot_' });
  }
}
