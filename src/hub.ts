/** createHub: the composition root. Wires broker, stores, core, protocols and APIs; opens no port. */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CommandExecutor } from './core/command-executor.ts';
import { CoreIngress, type DeviceIngress } from './core/device-ingress.ts';
import { DeviceRegistry } from './core/device-registry.ts';
import { EventBus } from './core/event-bus.ts';
import { LatestValueCache } from './core/latest-cache.ts';
import { LivenessMonitor } from './core/liveness-monitor.ts';
import { TelemetryPipeline } from './core/telemetry-pipeline.ts';
import { createHttpServer } from './api/http-server.ts';
import { createApiAuth } from './api/api-auth.ts';
import type { AuthGate } from './auth/auth-gate.ts';
import { CallAudit } from './rpc/call-audit.ts';
import { attachJsonRpcWebSocket, type JsonRpcWebSocket } from './api/websocket-server.ts';
import { exportRoute } from './api/export-route.ts';
import { dashboardRoutes } from './api/dashboard-route.ts';
import { DEFAULTS, type HubConfig } from './config/options.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { ThrottledLog } from './log/throttled-log.ts';
import { HubMetrics, UNKNOWN_METHOD } from './metrics/hub-metrics.ts';
import { timedWrites } from './metrics/timed-store.ts';
import { EmbeddedMqttBus } from './mqtt/embedded-bus.ts';
import { createBus, derivedClientId } from './hub-bus.ts';
import { attachMqttWebSocket, type MqttWebSocketAttachment } from './mqtt/listeners.ts';
import type { MqttBus } from './core/ports/mqtt-bus.ts';
import { PROTOCOLS } from './plugins.ts';
import type { HubWill, ProtocolPlugin, ProtocolRuntime } from './protocols/protocol-plugin.ts';
import { RpcDispatcher } from './rpc/dispatcher.ts';
import { MethodRegistry } from './rpc/method-registry.ts';
import { hubMethods, SubscriptionHub, type HubServices } from './app/hub-methods.ts';
import { deviceOwnership } from './app/device-ownership.ts';
import { rpcDiscoverMethod } from './rpc/openrpc.ts';
import { SchemaValidator } from './schema/schema-validator.ts';
import { openStores, type Stores } from './storage/open-stores.ts';
import { DEFAULT_POLICY, parsePolicy } from './tools/actuation-policy.ts';
import { NO_ENVELOPES } from './safety/envelope.ts';
import { EnvelopeGuard } from './safety/envelope-guard.ts';
import { envelopeMethods } from './safety/envelope-methods.ts';
import { parseEnvelopePolicy } from './safety/parse-envelopes.ts';
import { previewCall } from './safety/preview.ts';
import { Approvals } from './tools/approvals.ts';
import { Grants } from './tools/grants.ts';
import { ToolRunner } from './tools/tool-runner.ts';
import { McpHttpEndpoint } from './mcp/http-endpoint.ts';
import { LlmCommandRunner } from './llm/index.ts';
import { credentialMethods } from './app/credential-methods.ts';
import { AuthDenials } from './security/auth-denials.ts';
import { DeviceAuth, type DeviceAuthMode } from './security/device-auth.ts';
import { resolveDeviceAuthMode } from './security/device-auth-mode.ts';
import { DeviceCredentials } from './security/device-credentials.ts';
import { llmMethods } from './llm/methods.ts';
import { approvalMethods } from './tools/approval-methods.ts';
import { hubTopology } from './cluster/hub-cluster.ts';
import { clusterStoreOf } from './cluster/cluster-mode.ts';

export const HUB_VERSION = '0.1.0';

export interface HubOptions {
  readonly logger?: Logger;
  /** Use this bus instead of creating one (tests). */
  readonly bus?: MqttBus;
  readonly now?: () => number;
  /** The protocol plug-ins, in routing order (default: PROTOCOLS of src/plugins.ts). */
  readonly protocols?: readonly ProtocolPlugin[];
}

/** A wired hub. `http` is created but not listening: the CLI (or a test) listens. */
export interface Hub {
  readonly config: HubConfig;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly registry: DeviceRegistry;
  readonly pipeline: TelemetryPipeline;
  readonly cache: LatestValueCache;
  readonly executor: CommandExecutor;
  /** The device port every protocol (and the native device methods) reports through. */
  readonly ingress: DeviceIngress;
  readonly methods: MethodRegistry;
  readonly dispatcher: RpcDispatcher;
  readonly services: HubServices;
  readonly metrics: HubMetrics;
  readonly bus: MqttBus;
  readonly stores: Stores;
  readonly http: Server;
  /** The tools an LLM sees, under the actuation policy, audited (MCP and llm.execute_command). */
  readonly tools: ToolRunner;
  /** Who may call the API: whether auth is on, and the principal of a credential (docs/security.md). */
  readonly auth: AuthGate;
  /** Device credentials and enrollment (docs/security.md). */
  readonly credentials: DeviceCredentials;
  /** How the embedded broker admits devices (`open` on an external broker: that broker decides). */
  readonly deviceAuth: DeviceAuthMode;
  /** Announce the shutdown to connected peers (Sparkplug offline STATE); call before closing the listeners. close() does it too. */
  goingOffline(): Promise<void>;
  /** Flush telemetry and registry, fail pending commands, close broker and stores. */
  close(): Promise<void>;
}

export async function createHub(partial: Partial<HubConfig> = {}, options: HubOptions = {}): Promise<Hub> {
  const config: HubConfig = { ...DEFAULTS, ...partial };
  const logger = options.logger ?? createLogger({ level: config.logLevel, ...(config.logFormat !== undefined && { format: config.logFormat }) });
  const now = options.now ?? Date.now;
  /** Shutdown steps, run last-registered first: listeners, adapters, commands, telemetry flush, registry flush, stores. */
  const cleanups: (() => Promise<void> | void)[] = [];
  const stores = await openStores({ store: config.store, dataDir: config.dataDir });
  cleanups.push(() => stores.close());
  try {
    const events = new EventBus((error, event) => logger.error({ err: error, event }, 'event listener failed'));
    const onStoreError = (error: unknown): void => logger.error({ err: error }, 'registry store write failed');
    // Alone, or one of several instances on one broker (shared group) and one PostgreSQL schema (src/cluster/).
    const instance = config.mqttClientId ?? derivedClientId(config);
    const topology = hubTopology(config, stores, instance, onStoreError);
    const registryStore = topology.registryStore;
    const registry = new DeviceRegistry({ store: registryStore, events, now, onStoreError, maxDevices: config.maxDevices });
    await registry.load({ keepStatus: topology.keepStatus });
    cleanups.push(() => registry.flush());
    const metrics = new HubMetrics();
    const cache = new LatestValueCache();
    cache.update(await stores.telemetry.latest());
    // The bus is created later; the pipeline's backpressure reaches it through this reference.
    let busForPressure: MqttBus | undefined;
    const pipeline = new TelemetryPipeline({
      store: timedWrites(stores.telemetry, (seconds) => metrics.commitDuration.observe(seconds)),
      events,
      cache,
      batchSize: config.telemetryBatchSize,
      flushIntervalMs: config.telemetryFlushMs,
      maxPendingPoints: config.telemetryMaxPending,
      maxFutureMs: config.telemetryMaxFutureMs,
      now,
      onWriteError: (error, points, final) => logger.error({ err: error, points, final }, 'telemetry write failed'),
      // Refusals are counted; one debug line each (a misbehaving device must not flood the log).
      onRefused: (point, reason) => {
        metrics.rejected.inc({ protocol: 'telemetry', reason: 'invalid_point' });
        logger.debug({ deviceId: point.deviceId, measurement: point.measurement, reason }, 'telemetry point refused');
      },
      onPressure: (high) => {
        logger.warn({ pending: pipeline.stats().pending }, high ? 'telemetry backlog: pausing device input' : 'telemetry backlog cleared: resuming device input');
        busForPressure?.setInboundPaused?.(high);
      },
    });
    cleanups.push(() => pipeline.close());
    // --- safety envelopes: every device write, whoever sends it (src/safety, docs/llm.md) ---
    const policyDocument = readPolicy(config.llmPolicy);
    const guard = new EnvelopeGuard({
      policy: policyDocument === undefined ? NO_ENVELOPES : parseEnvelopePolicy(policyDocument),
      registry,
      cache,
      // Clustered, another instance may have ingested the watched reading: interlocks also read the shared latest table.
      ...(clusterStoreOf(config, stores, instance) !== undefined && { shared: stores.telemetry }),
      now,
      isRead: (method) => methods.get(method)?.kind === 'read',
    });
    // --- end safety envelopes ---
    const executor = new CommandExecutor({ registry, store: registryStore, events, defaultTimeoutMs: config.commandTimeout, now, onStoreError, guard });
    cleanups.push(() => executor.close());
    events.on('command.updated', ({ command }) => {
      if (command.state === 'pending' || command.state === 'sent') metrics.commandSent(command.method);
      else metrics.commandFinished(command.method, command.state);
    });
    const schemas = new SchemaValidator();
    // A refused answer is counted every time, logged at most once per device every 10 s.
    const refusals = new ThrottledLog({ logger, now });
    const ingress = new CoreIngress({
      registry,
      schemas,
      executor,
      pipeline,
      onRefusedAnswer: (refused) => {
        const from = registry.get(refused.from);
        metrics.rejected.inc({ protocol: from?.protocols[0] ?? 'unknown', reason: 'foreign_answer' });
        refusals.warn(`foreign_answer:${refused.from}`, { ...refused, fromHardwareId: from?.hardwareId }, 'command answer refused: it came from a device that is not the target');
      },
    });
    const methods = new MethodRegistry();
    // --- device identity (docs/security.md) ---
    const deviceAuthMode: DeviceAuthMode = config.mqttUrl === undefined && options.bus === undefined ? resolveDeviceAuthMode(config) : 'open';
    let deviceAuth: DeviceAuth | undefined;
    const credentials = new DeviceCredentials({
      store: stores.credentials,
      enrollmentKey: config.enrollmentKey,
      now,
      onChanged: (hardwareId) => deviceAuth?.disconnect(hardwareId),
    });
    if (deviceAuthMode === 'credentials') deviceAuth = new DeviceAuth({ credentials, denials: new AuthDenials({ registry: metrics.registry, logger }) });
    for (const method of credentialMethods(credentials)) methods.add(method);
    // --- end device identity ---
    let dispatcher: RpcDispatcher | undefined;
    const services: HubServices = {
      registry,
      pipeline,
      cache,
      executor,
      telemetry: stores.telemetry,
      registryStore,
      schemas,
      ingress,
      events,
      logger,
      now,
      heartbeatIntervalS: config.heartbeatInterval,
      invoke: (method, params, context) => (dispatcher as RpcDispatcher).invoke(method, params, context),
    };
    for (const method of hubMethods(services, new SubscriptionHub(services, { maxPerConnection: config.maxLiveSubscriptions }))) methods.add(method);
    // Protocol plug-ins (src/plugins.ts): made before the bus, since one may set the hub connection's will.
    const protocols = (options.protocols ?? PROTOCOLS).map((plugin) => ({ plugin, instance: plugin.create(config, now) }));
    for (const { plugin } of protocols) metrics.expectProtocol(plugin.name, plugin.metricLabels);
    for (const { instance } of protocols) for (const method of instance.methods(services)) methods.add(method);
    methods.add(rpcDiscoverMethod(methods, { title: 'llm-iot hub', version: HUB_VERSION }));

    const wills = protocols.flatMap(({ plugin, instance }) => (instance.will === undefined ? [] : [{ plugin: plugin.name, will: instance.will }]));
    if (wills.length > 1) throw new Error(`only one protocol may set the hub connection's will; ${wills.map((w) => w.plugin).join(' and ')} both do`);
    const bus = options.bus ?? (await createBus(config, logger, metrics, wills[0]?.will, now, deviceAuth, instance));
    busForPressure = bus;
    if (!options.bus) cleanups.push(() => bus.close());
    cleanups.push(await topology.start({ bus, registry, ingress, events, cache, telemetry: stores.telemetry, logger, now }));
    const runtimes: ProtocolRuntime[] = [];
    dispatcher = new RpcDispatcher(methods, logger, {
      audit: new CallAudit({ store: stores.audit, now, onError: (error) => logger.error({ err: error }, 'audit log write failed') }),
      onResponse: (message, context) => runtimes.forEach((r) => r.handleResponse?.(message, context)),
      onNotificationError: (method, error, context) => runtimes.forEach((r) => r.notificationFailed?.(method, error, context)),
      deviceAccess: { owns: deviceOwnership(registry) },
      onServed: ({ transport, method, outcome, seconds }) => metrics.rpcServed(transport, method ?? UNKNOWN_METHOD, outcome, seconds),
    });
    const protocolContext = { config, bus, registry, ingress, events, dispatcher, logger, metrics, now };
    // In routing order: the executor carries a command over the first channel that supports it.
    for (const { plugin, instance: protocol } of protocols) {
      const runtime = await protocol.start(topology.protocolContext(plugin, protocolContext));
      runtimes.push(runtime);
      executor.addChannel(topology.channel(plugin, runtime));
      cleanups.push(() => runtime.stop());
    }

    const liveness = new LivenessMonitor({ registry, defaultHeartbeatMs: config.heartbeatInterval * 1000, missedBeats: config.missedHeartbeats, now });
    liveness.start();
    const flushTimer = setInterval(() => registry.flush().catch(onStoreError), 5_000);
    flushTimer.unref();
    cleanups.push(() => {
      liveness.stop();
      clearInterval(flushTimer);
    });

    // --- LLM tools: one tool list, policy and audit log for MCP and llm.execute_command ---
    const approvals = new Approvals({ store: stores.approvals, events, now, ...(config.publicUrl !== undefined && { publicUrl: config.publicUrl }) });
    const grants = new Grants({ store: stores.grants, now });
    const tools = new ToolRunner({
      methods,
      services,
      audit: stores.audit,
      policy: policyDocument === undefined ? DEFAULT_POLICY : parsePolicy(policyDocument),
      preview: (method, args, targets) => previewCall(guard, methods, method, args, targets),
      approvals,
      grants,
      onCall: ({ via, outcome, start }) => metrics.toolCalled(via, outcome, start),
    });
    cleanups.push(() => tools.close());
    // --- end LLM tools ---
    // --- LLM methods: llm.execute_command, audit.*, approval.*, grant.* (need the ToolRunner, so registered after it) ---
    const llm = new LlmCommandRunner({ config, env: process.env, tools, registry, logger, now });
    for (const method of llmMethods({ llm, tools, audit: stores.audit, services })) methods.add(method);
    for (const method of approvalMethods(services, tools, grants)) methods.add(method);
    for (const method of envelopeMethods(services, guard)) methods.add(method);
    // --- end LLM methods ---
    // --- MCP ---
    // Streamable HTTP at /mcp: one MCP session (SDK Server) per client over this hub's tools; closed before the tools and stores.
    const mcp = new McpHttpEndpoint({ hub: { tools, services }, logger, maxBodyBytes: Math.max(config.maxMessageBytes, 4 * 1024 * 1024) });
    cleanups.push(() => mcp.close());
    // --- end MCP ---

    metrics.attach({ registry, pipeline, pendingCommands: () => executor.pendingCount }, { processMetrics: !options.bus });
    metrics.expectMethods(methods.list().map((m) => m.name));
    // --- auth: tokens, users, OIDC, the built-in authorization server (src/api/api-auth.ts) ---
    const apiAuth = createApiAuth({ config, stores, logger, metrics: metrics.registry, now });
    cleanups.push(() => apiAuth.close());
    const auth = apiAuth.gate;
    const security = apiAuth.security;
    // --- end auth ---
    const http = createHttpServer({
      dispatcher,
      logger,
      security,
      // HTTPS (and WSS) on the HTTP port when a certificate is given, the same one MQTTS uses.
      ...(config.tlsCert !== undefined && config.tlsKey !== undefined && { tls: { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } }),
      maxBodyBytes: config.maxMessageBytes,
      headersTimeoutMs: config.httpHeadersTimeoutMs,
      requestTimeoutMs: config.httpRequestTimeoutMs,
      keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
      routes: [
        {
          method: 'GET',
          path: '/metrics',
          access: config.metricsPublic ? 'public' : 'viewer',
          handler: async (_req, res) => {
            res.writeHead(200, { 'content-type': metrics.contentType });
            res.end(await metrics.exposition());
          },
        },
        exportRoute(services, methods),
        ...apiAuth.routes,
        // The web dashboard, built by Vite: src/ and dist/ are siblings, so this names dist/dashboard/ from either.
        ...dashboardRoutes(fileURLToPath(new URL('../dist/dashboard/', import.meta.url))),
        // --- MCP ---
        ...mcp.routes(),
        // --- end MCP ---
      ],
      health: () => ({ status: 'ok', devices: registry.size, broker: bus.kind, store: config.store.startsWith('postgres') ? 'postgres' : config.store }),
    });
    const ws: JsonRpcWebSocket = attachJsonRpcWebSocket({ server: http, dispatcher, logger, security, maxMessageBytes: config.maxMessageBytes, maxConnections: config.maxWsConnections });
    cleanups.push(() => ws.close());
    metrics.countWebSockets('/ws', () => ws.connections);
    if (bus instanceof EmbeddedMqttBus) {
      const mqttWs: MqttWebSocketAttachment = attachMqttWebSocket(bus, http, {
        path: '/mqtt',
        maxConnections: config.maxMqttWsConnections,
        // One MQTT packet per WebSocket message is the norm; the fixed header adds at most 5 bytes.
        maxMessageBytes: bus.maxPacketLength + 5,
        logger,
        // A browser page from another origin must not reach the broker (cross-site WebSocket): the same
        // Host and Origin rule as /ws. Devices send no Origin and connect from anywhere, by any name.
        rejection: (req) => (req.headers.origin === undefined ? undefined : security.guard.rejection(req)),
      });
      cleanups.push(() => mqttWs.close());
      metrics.countWebSockets('/mqtt', () => mqttWs.connections);
    }

    let closing: Promise<void> | undefined;
    let announced: Promise<void> | undefined;
    const goingOffline = (): Promise<void> => (announced ??= Promise.allSettled(runtimes.map((r) => r.goingOffline?.())).then(() => undefined));
    return {
      config,
      logger,
      events,
      registry,
      pipeline,
      cache,
      executor,
      ingress,
      methods,
      dispatcher,
      services,
      metrics,
      bus,
      stores,
      http,
      tools,
      auth,
      credentials,
      deviceAuth: deviceAuthMode,
      goingOffline,
      close: () => (closing ??= goingOffline().then(() => runCleanups(cleanups, logger))),
    };
  } catch (error) {
    await runCleanups(cleanups, logger);
    throw error;
  }
}

/**
 * The --llm-policy file, checked whole at start: the actuation policy (default: reads allowed, writes
 * confirm, destructive denied) and the safety envelopes. A bad file stops the hub, naming the key.
 */
function readPolicy(file: string | undefined): unknown {
  if (file === undefined) return undefined;
  try {
    const document: unknown = JSON.parse(readFileSync(file, 'utf8'));
    parsePolicy(document);
    parseEnvelopePolicy(document);
    return document;
  } catch (error) {
    throw new Error(`--llm-policy ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function runCleanups(cleanups: readonly (() => Promise<void> | void)[], logger: Logger): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      logger.error({ err: error }, 'shutdown step failed');
    }
  }
}
