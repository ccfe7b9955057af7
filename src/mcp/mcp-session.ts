/**
 * One MCP session: a low-level SDK `Server` (tools are listed from our JSON Schemas, no zod) wired to
 * the shared hub. It follows the fleet — tools/list_changed when devices join or leave, resource
 * updates for subscriptions, log notices — until its transport closes.
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
Find devices with device_list (filters: zone, model, type, status, tags), read history with data_query (aggregation + interval) and current values with data_latest or sensor_read.
Tools that change devices may need a person's approval: the hub answers confirmation_required with the plan and an approval_url (or opens that page through URL elicitation) — a logged-in person approves there, then the action runs; never call the tool again for it. Destructive tools may be refused by policy, and every write stays inside the hub's safety envelopes.
Resources: llmiot://fleet, llmiot://device/{id}, llmiot://device/{id}/telemetry (subscribe for updates).`;

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
      tools: { listChanged: true },
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
    hub.tools.onToolsChanged(() => void server.sendToolListChanged().catch(failed('tools/list_changed'))),
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
