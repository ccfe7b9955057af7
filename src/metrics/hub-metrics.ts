/**
 * HubMetrics: the Prometheus metrics of one hub, in its own registry (several hubs can share a
 * process). Event metrics are declared here, one field each (see declare.ts for how); gauges that
 * read live state at scrape time are in live-gauges.ts.
 */
import { Registry } from 'prom-client';
import { COMMAND_STATES } from '../core/command.ts';
import { MQTT_REJECT_REASONS } from '../mqtt/reject-reasons.ts';
import { counter, gauge, histogram, labelProduct, secondsSince } from './declare.ts';
import { attachLiveGauges, type MetricSources } from './live-gauges.ts';
import { renderExposition } from './exposition.ts';
import { collectProcessMetrics } from './process-metrics.ts';

export type { MetricSources } from './live-gauges.ts';

/** How a JSON-RPC request ended: `internal_error` is -32603 (a fault of the hub, worth an alert), `error` any other error. */
export type RpcOutcome = 'ok' | 'error' | 'internal_error';
/** How an LLM tool call ended (ToolRunner outcomes). */
export type ToolOutcome = 'ok' | 'error' | 'denied' | 'confirmation_required';

/** The label values a protocol plug-in knows in advance (pre-initialised at 0). */
export interface ProtocolMetricLabels {
  /** `type` values of llmiot_messages_received_total. */
  readonly messageTypes: readonly string[];
  /** `reason` values of llmiot_messages_rejected_total. */
  readonly rejectionReasons: readonly string[];
}

/** The hub's WebSocket endpoints: JSON-RPC at /ws, MQTT over WebSocket at /mqtt (MCP is Streamable HTTP, no WebSocket). */
export const WEBSOCKET_ENDPOINTS = ['/ws', '/mqtt'] as const;
export type WebSocketEndpoint = (typeof WEBSOCKET_ENDPOINTS)[number];

/** Transports that call methods through the dispatcher (CallContext['transport'] less `internal`). */
export const RPC_TRANSPORTS = ['http', 'websocket', 'mqtt', 'mcp', 'llm'] as const;
const RPC_OUTCOMES: readonly RpcOutcome[] = ['ok', 'error', 'internal_error'];
const TOOL_OUTCOMES: readonly ToolOutcome[] = ['ok', 'error', 'denied', 'confirmation_required'];
const FINAL_COMMAND_STATES = COMMAND_STATES.filter((s) => s !== 'pending' && s !== 'sent');
/** Label value of a method the hub does not have (never the caller's string: that would be unbounded). */
export const UNKNOWN_METHOD = 'unknown';
/** Request and tool durations: 1 ms to a device command's longer timeouts. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** One store transaction of a telemetry batch. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class HubMetrics {
  readonly registry = new Registry();
  /** How many connections each WebSocket endpoint has open, read at scrape time (countWebSockets). */
  readonly #webSockets = new Map<WebSocketEndpoint, () => number>();

  // --- connections ---
  readonly websocketConnections = webSocketGauge(this.registry, this.#webSockets);

  // --- device messages ---
  readonly received = counter(this.registry, {
    name: 'llmiot_messages_received_total',
    help: 'Device messages received, by protocol and message type.',
    labelNames: ['protocol', 'type'],
  });
  readonly rejected = counter(this.registry, {
    name: 'llmiot_messages_rejected_total',
    help: 'Device messages rejected (logged and dropped), by protocol and reason.',
    labelNames: ['protocol', 'reason'],
    initial: [
      ...MQTT_REJECT_REASONS.map((reason) => ({ protocol: 'mqtt', reason })),
      { protocol: 'telemetry', reason: 'invalid_point' },
    ],
  });
  /** Pre-labelled hot-path counters. */
  readonly messages = { native: this.received.labels('native', 'jsonrpc') };

  // --- commands ---
  readonly commands = counter(this.registry, {
    name: 'llmiot_commands_total',
    help: 'Server-to-device commands finished, by method and final state (succeeded, failed, timed_out).',
    labelNames: ['method', 'state'],
  });

  // --- JSON-RPC ---
  readonly rpcRequests = counter(this.registry, {
    name: 'llmiot_rpc_requests_total',
    help: 'JSON-RPC requests and notifications served, by transport, method and outcome (ok, error, internal_error = -32603).',
    labelNames: ['transport', 'method', 'outcome'],
  });
  readonly rpcDuration = histogram(this.registry, {
    name: 'llmiot_rpc_request_duration_seconds',
    help: 'Time to serve a JSON-RPC request (validation and handler, device round trip included), by method.',
    labelNames: ['method'],
    buckets: REQUEST_BUCKETS,
  });

  // --- LLM tools (MCP and llm.execute_command) ---
  readonly toolCalls = counter(this.registry, {
    name: 'llmiot_tool_calls_total',
    help: 'LLM tool calls, by caller (mcp: an MCP client; llm: llm.execute_command) and outcome.',
    labelNames: ['via', 'outcome'],
    initial: labelProduct({ via: ['mcp', 'llm'], outcome: TOOL_OUTCOMES }),
  });
  // By caller only, pre-initialised: a series born at its first observation shows no rate for it. Per tool:
  // llmiot_rpc_request_duration_seconds{method} (the tool's method) and the audit log.
  readonly toolDuration = histogram(this.registry, {
    name: 'llmiot_tool_call_duration_seconds',
    help: 'Time to decide and run an LLM tool call (policy, audit, the method itself), by caller.',
    labelNames: ['via'],
    buckets: REQUEST_BUCKETS,
    initial: [{ via: 'mcp' }, { via: 'llm' }],
  });

  // --- telemetry ---
  readonly commitDuration = histogram(this.registry, {
    name: 'llmiot_telemetry_commit_duration_seconds',
    help: 'Time of one telemetry store write (a batch of points, one transaction), retries counted apart.',
    buckets: COMMIT_BUCKETS,
  });

  /** Pre-initialise a protocol's known message types and rejection reasons. */
  expectProtocol(protocol: string, labels: ProtocolMetricLabels): void {
    for (const type of labels.messageTypes) this.received.inc({ protocol, type }, 0);
    for (const reason of [...labels.rejectionReasons, 'foreign_answer']) this.rejected.inc({ protocol, reason }, 0);
  }

  /** Pre-initialise llmiot_rpc_requests_total for every method the hub serves, on every transport. */
  expectMethods(methods: readonly string[]): void {
    for (const labels of labelProduct({ transport: RPC_TRANSPORTS, method: [...methods, UNKNOWN_METHOD], outcome: RPC_OUTCOMES })) this.rpcRequests.inc(labels, 0);
  }

  /** A request was served (`method` = UNKNOWN_METHOD when the hub has no such method). */
  rpcServed(transport: string, method: string, outcome: RpcOutcome, seconds: number): void {
    this.rpcRequests.inc({ transport, method, outcome });
    this.rpcDuration.observe({ method }, seconds);
  }

  /** A command went out: its final states exist at 0 from now, so the first failure of a method is seen by increase(). */
  commandSent(method: string): void {
    for (const state of FINAL_COMMAND_STATES) this.commands.inc({ method, state }, 0);
  }

  commandFinished(method: string, state: string): void {
    this.commands.inc({ method, state });
  }

  toolCalled(via: string, outcome: ToolOutcome, startedAt: number): void {
    this.toolCalls.inc({ via, outcome });
    this.toolDuration.observe({ via }, secondsSince(startedAt));
  }

  /** An endpoint's open connections, read at each scrape (an endpoint not attached reads 0). */
  countWebSockets(endpoint: WebSocketEndpoint, open: () => number): void {
    this.#webSockets.set(endpoint, open);
  }

  /** Wire the gauges that read live state at scrape time, and (for a real process) Node's own metrics. */
  attach(sources: MetricSources, options: { processMetrics?: boolean } = {}): void {
    attachLiveGauges(this.registry, sources);
    if (options.processMetrics) collectProcessMetrics(this.registry);
  }

  /** The text exposition format (version 0.0.4), for GET /metrics. */
  readonly contentType = this.registry.contentType;
  exposition(): Promise<string> {
    return renderExposition(this.registry);
  }
}

/** `llmiot_websocket_connections{endpoint}`: every endpoint from the start, at 0 until attached. */
function webSocketGauge(registry: Registry, counts: ReadonlyMap<WebSocketEndpoint, () => number>) {
  return gauge(registry, {
    name: 'llmiot_websocket_connections',
    help: 'Open WebSocket connections, by endpoint (/ws JSON-RPC, /mqtt MQTT over WebSocket).',
    labelNames: ['endpoint'],
    collect() {
      for (const endpoint of WEBSOCKET_ENDPOINTS) this.set({ endpoint }, counts.get(endpoint)?.() ?? 0);
    },
  });
}
