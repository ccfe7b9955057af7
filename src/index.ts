/** The package entry point (`import { createHub } from 'llm-iot'`): re-exports the public API only; see docs/library.md. */

// Composition root: wires everything, opens no port.
export { createHub, HUB_VERSION } from './hub.ts';
export type { Hub, HubOptions } from './hub.ts';

// Configuration: one options table for defaults, config file keys, LLMIOT_* variables and flags.
export { DEFAULTS, CORE_OPTIONS } from './config/options.ts';
export { OPTIONS, PROTOCOLS } from './plugins.ts';
export type { HubWill, ProtocolContext, ProtocolInstance, ProtocolPlugin, ProtocolRuntime } from './protocols/protocol-plugin.ts';
export type { HubConfig, OptionSpec, OptionType } from './config/options.ts';
export { ConfigError, loadConfig } from './config/load-config.ts';

// Listening: only the embedding program opens ports.
export { listenHttp } from './api/http-server.ts';
export type { HttpListener } from './api/http-server.ts';
export { connectInProcess as connectMqttInProcess, listenMqttTcp, listenMqttTls } from './mqtt/listeners.ts';
export type { ListenOptions, MqttListener, TlsListenOptions } from './mqtt/listeners.ts';

// MCP in-process: an MCP client connected to the hub's tools, resources and prompts with no transport.
export { connectInProcess as connectMcpInProcess } from './mcp/index.ts';
export type { InProcessOptions as McpInProcessOptions } from './mcp/index.ts';

// Ports declared by the core, and the MQTT bus implementations.
export type { MessageHandler, MessageMeta, MqttBus, PresenceEvent, PublishOptions, QoS } from './core/ports/mqtt-bus.ts';
export type { TelemetryStore } from './core/ports/telemetry-store.ts';
export type { CommandFilter, RegistryStore } from './core/ports/registry-store.ts';
export type { AuditStore } from './core/ports/audit-store.ts';
export { EmbeddedMqttBus } from './mqtt/embedded-bus.ts';
export type { EmbeddedMqttBusOptions } from './mqtt/embedded-bus.ts';
export { ExternalMqttBus } from './mqtt/external-bus.ts';
export type { ExternalMqttBusOptions } from './mqtt/external-bus.ts';

// The device model and telemetry shapes the ports and methods speak.
export { DEVICE_PROTOCOLS, DEVICE_STATUSES, DEVICE_TYPES } from './core/device.ts';
export type { Device, DeviceProtocol, DeviceStatus, DeviceType, JsonObject } from './core/device.ts';
export type { Aggregation, PointValue, Quality, SeriesResult, TelemetryPoint, TelemetryQuery } from './core/telemetry.ts';
export type { CommandRecord, CommandState } from './core/command.ts';

// Errors: HubError carries a catalogued code (docs/errors.md); the JSON-RPC error object is what crosses the wire.
export { ERROR_CATALOGUE, HubError } from './core/errors.ts';
export type { ErrorCode, RpcErrorObject } from './core/errors.ts';

// Logging.
export { createLogger, LOG_FORMATS, silentLogger } from './log/logger.ts';
export type { CreateLoggerOptions, LogFormat, Logger } from './log/logger.ts';

// The device simulator library (also at 'llm-iot/simulator').
export * as simulator from './simulator/index.ts';
