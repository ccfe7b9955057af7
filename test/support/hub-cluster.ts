/**
 * Hub instances as child processes (`llm-iot start`, so kill -9 is a real crash) on one broker, one
 * shared-subscription group and one PostgreSQL schema: the scale-out topology of docs/deployment.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from './cli.ts';
import { POSTGRES_URL } from './services.ts';

export interface ClusterHub {
  readonly name: string;
  /** MQTT client id = cluster instance id. */
  readonly instance: string;
  readonly sparkplugHostId: string;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly process: CliProcess;
}

export interface HubClusterOptions {
  readonly brokerUrl: string;
  readonly schema: string;
  readonly suffix: string;
  readonly leaseMs: number;
  readonly commandTimeoutMs?: number;
}

/** Start one instance named `name`; resolves once it listens. The same name restarts the same instance (client id, session). */
export async function startClusterHub(name: string, options: HubClusterOptions): Promise<ClusterHub> {
  const instance = `hub-${name}-${options.suffix}`;
  const sparkplugHostId = `host-${name}-${options.suffix}`;
  const process = runCli(
    [
      'start',
      '--http-port', '0',
      '--mqtt-url', options.brokerUrl,
      '--mqtt-shared-group', `hubs${options.suffix}`,
      '--mqtt-client-id', instance,
      '--sparkplug-host-id', sparkplugHostId,
      '--store', `${POSTGRES_URL}?schema=${options.schema}`,
      '--cluster-lease-ms', String(options.leaseMs),
      '--command-timeout', String(options.commandTimeoutMs ?? 8000),
      '--data-dir', mkdtempSync(join(tmpdir(), `llmiot-cluster-${name}-`)),
    ],
    { LLMIOT_LOG_FORMAT: 'json', LLMIOT_LOG_LEVEL: 'info' },
  );
  const line = await process.waitFor(/llm-iot hub listening/);
  const listening = JSON.parse(line) as { rpc: string; websocket: string };
  return { name, instance, sparkplugHostId, rpcUrl: listening.rpc, wsUrl: listening.websocket, process };
}

/** A JSON-RPC call over HTTP (loopback, no credentials: admin). */
export async function clusterRpc(hub: ClusterHub, method: string, params: unknown = {}): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  const response = await fetch(hub.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
}
