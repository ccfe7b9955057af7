/**
 * One MCP session: a low-level SDK `Server` (tools are listed from our JSON Schemas, no zod) wired to
 * the shared hub. It follows the fleet — resource updates for subscriptions, resource list changes,
 * log notices — until its transport closes; its tool list never changes.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import type { Device } from '../core/device.ts';
import { LOCAL_ADMIN, type Principal } from '../core/principal.ts';
import type { Logger } from '../log/logger.ts';
import type { CallContext } from '../rpc/method.ts';
import type { ToolCaller } from '../tools/tool-runner.ts';
import type { McpHub } from './mcp-hub.ts';
import { answerInvalidParams } from './invalid-params.ts';
import { registerPromptHandlers } from './prompt-handlers.ts';
import { registerResourceHandlers } from './resource-handlers.ts';
import { ResourceWatcher } from './resource-watcher.ts';
import { serverInfo } from './server-info.ts';
import { registerToolHandlers } from './tool-handlers.ts';

const INSTRUCTIONS = `llm-iot hub: a live fleet of MCUs with attached sensors and actuators.
Find devices with find_devices (zone, model, type, tag, status, protocol, measurement, capability), learn what one can do with describe_device, read current values with read_device and history with query_telemetry (a bounded summary: min/max/mean per interval).
configure_device and run_command check names and values against each device's schema and answer with the valid choices when they do not fit.
Tools that change devices may need a person's approval: the hub answers approval_required with the plan and an approval_url (or opens that page through URL elicitation) — a logged-in person approves there, then the action runs; never call the tool again for it. Destructive commands may be refused by policy, and every write stays inside the hub's safety envelopes (a refusal names the rule).
Resources: llmiot://fleet, llmiot://zone/{zone}, llmiot://device/{id}, llmiot://device/{id}/telemetry, llmiot://device/{id}/capability/{capability} (subscribe for updates).`;

/** Options of {@link createMcpSession}. */
export interface McpSessionOptions {
  /** The transport's session id (Streamable HTTP); a random id otherwise. */
  readonly sessionId?: string;
  readonly logger: Logger;
  /** Called once when the session ends, whoever ended it. */
  readonly onClose?: () => void;
  /** Who opened the session (its role bounds the tools listed and callable); default the local admin (in-process). */
  readonly principal?: Principal;
  /** The hub's address as this client reached it (approval links when no --public-url is set). */
  readonly baseUrl?: string;
}

/** A session's server, to connect to a transport, and how to end it. */
export interface McpSession {
  readonly id: string;
  readonly server: Server;
  /** Close the server (and its transport) and stop following the hub. */
  close(): Promise<void>;
}

/** Build the Server of one session over the shared hub (connect it to a transport to start). */
export function createMcpSession(hub: McpHub, options: McpSessionOptions): McpSession {
  const id = options.sessionId ?? randomUUID();
  const { logger } = options;
  const server = new Server(serverInfo(), {
    capabilities: {
      // The tool list is fixed (src/tools/tool-catalog.ts): it never changes as devices come and go.
      tools: { listChanged: false },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: false },
      completions: {},
      logging: {},
    },
    instructions: INSTRUCTIONS,
  });
  const principal = options.principal ?? LOCAL_ADMIN;
  const client = (): string => `${server.getClientVersion()?.name ?? 'mcp-client'}/${id}`;
  const caller = (): ToolCaller => ({ principal, client: client(), via: 'mcp' });
  const context = (): CallContext => ({ transport: 'mcp', principal, client: client() });
  const failed = (what: string) => (error: unknown) => logger.debug({ err: error, session: id }, `MCP ${what} not delivered`);

  const watcher = new ResourceWatcher({
    services: hub.services,
    updated: (uri) => void server.sendResourceUpdated({ uri }).catch(failed('resources/updated')),
    listChanged: () => void server.sendResourceListChanged().catch(failed('resources/list_changed')),
  });
  registerToolHandlers(server, hub, caller, logger, options.baseUrl);
  registerResourceHandlers(server, hub.services, watcher, context);
  registerPromptHandlers(server, hub.services);
  answerInvalidParams(server);

  const log = (level: LoggingMessageNotification['params']['level'], data: string): void =>
    void server.sendLoggingMessage({ level, logger: 'fleet', data }, options.sessionId).catch(failed('log message'));
  const describe = (d: Device): string => `${d.hardwareId} (${d.type} ${d.model}${d.zone ? `, ${d.zone}` : ''})`;
  const { events } = hub.services;
  const off = [
    events.on('device.registered', ({ device, created }) => created && log('info', `device joined: ${describe(device)}`)),
    events.on('device.removed', ({ device }) => log('info', `device left: ${describe(device)}`)),
    events.on('device.status', ({ device, previous }) => {
      if (device.status === 'offline') log('warning', `device offline: ${describe(device)}`);
      else if (previous === 'offline' && device.status === 'online') log('info', `device back online: ${describe(device)}`);
    }),
  ];

  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    for (const stop of off) stop();
    watcher.close();
    options.onClose?.();
  };
  // Whoever ends the session (client DELETE, closed stdio, hub shutdown), the listeners go with it.
  server.onclose = dispose;

  return {
    id,
    server,
    async close() {
      dispose();
      await server.close();
    },
  };
}
