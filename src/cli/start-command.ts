/** `llm-iot start`: build the hub, open its ports, log the addresses, shut down cleanly on SIGINT/SIGTERM. */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load-config.ts';
import { OPTIONS } from '../plugins.ts';
import { createHub, type Hub } from '../hub.ts';
import { listenHttp, type HttpListener } from '../api/http-server.ts';
import { createLogger } from '../log/logger.ts';
import { EmbeddedMqttBus } from '../mqtt/embedded-bus.ts';
import { listenMqttTcp, listenMqttTls, type MqttListener } from '../mqtt/listeners.ts';
import { bindDecision } from './bind-policy.ts';
import type { HubConfig } from '../config/options.ts';
import type { Logger } from '../log/logger.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { describeStartFailure } from './start-failure.ts';

export async function startCommand(argv: string[]): Promise<number> {
  const { config, file } = loadConfig(argv, process.env, OPTIONS);
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat !== undefined && { format: config.logFormat }) });
  if (file) logger.info({ file }, 'config file loaded');
  // The SQLite store lives in the data directory: one hub at a time there (data-dir-lock.ts).
  const lock = config.store === 'sqlite' ? lockDataDir(config.dataDir) : undefined;
  if (typeof lock === 'string') {
    process.stderr.write(`llm-iot start: ${lock}\n`);
    return 1;
  }
  const started = await runHub(config, logger);
  lock?.release();
  return started;
}

async function runHub(config: HubConfig, logger: Logger): Promise<number> {
  let hub: Hub;
  try {
    hub = await createHub(config, { logger });
  } catch (error) {
    process.stderr.write(`${describeStartFailure(error, config)}\n`);
    if (config.logLevel === 'debug' || config.logLevel === 'trace') process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
    return 1;
  }
  const bind = bindDecision(config, await hub.auth.active(), hub.deviceAuth);
  if (bind.action === 'refuse') {
    process.stderr.write(`${bind.message}\n`);
    await hub.close();
    return 1;
  }
  if (bind.action === 'warn') logger.warn(bind.message);
  if (bind.action === 'info') logger.info(bind.message);
  // Signal handlers before the "listening" line: a supervisor may send SIGTERM as soon as it reads it.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down: flushing telemetry and closing');
      process.once(signal, () => process.exit(130));
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const listeners: (HttpListener | MqttListener)[] = [];
  try {
    const http = await listenHttp(hub.http, { port: config.httpPort, host: config.httpHost });
    listeners.push(http);
    const addresses: Record<string, string> = {
      rpc: `${http.url}/rpc`,
      websocket: `${http.url.replace(/^http/, 'ws')}/ws`,
      metrics: `${http.url}/metrics`,
      mcp: `${http.url}/mcp`,
      // MCP clients that speak OAuth (chat apps, Claude Code) find the built-in server from /mcp alone.
      ...(config.oauthServer === 'on' && { oauth: `${http.url}/.well-known/oauth-authorization-server` }),
    };
    if (hub.bus instanceof EmbeddedMqttBus) {
      const mqtt = await listenMqttTcp(hub.bus, { port: config.mqttPort, host: config.mqttHost, logger });
      listeners.push(mqtt);
      addresses['mqtt'] = `mqtt://${displayHost(config.mqttHost)}:${mqtt.port}`;
      addresses['mqtt_ws'] = `${http.url.replace(/^http/, 'ws')}/mqtt`;
      if (config.tlsCert !== undefined && config.tlsKey !== undefined) {
        const tls = await listenMqttTls(hub.bus, {
          port: config.mqttTlsPort,
          host: config.mqttHost,
          cert: readFileSync(config.tlsCert),
          key: readFileSync(config.tlsKey),
          ...(config.tlsCa !== undefined && { ca: readFileSync(config.tlsCa) }),
          logger,
        });
        listeners.push(tls);
        addresses['mqtts'] = `mqtts://${displayHost(config.mqttHost)}:${tls.port}`;
      }
    } else {
      addresses['mqtt'] = `${config.mqttUrl ?? ''} (external broker)`;
    }
    logger.info({ ...addresses, device_auth: hub.deviceAuth, store: config.store === 'sqlite' ? `${config.dataDir}/hub.db` : redact(config.store) }, 'llm-iot hub listening');
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    await Promise.all(listeners.map((l) => l.close()));
    await hub.close();
    return 1;
  }
  await stopped;
  // Sparkplug's offline STATE must reach the devices before their connections close.
  await hub.goingOffline();
  await Promise.all(listeners.map((l) => l.close()));
  await hub.close();
  logger.info('llm-iot hub stopped');
  return 0;
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
