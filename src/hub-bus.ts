/** The hub's MQTT bus from its configuration: an external broker's client, or the embedded broker with the hub's limits. */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { HubConfig } from './config/options.ts';
import type { MqttBus } from './core/ports/mqtt-bus.ts';
import type { Logger } from './log/logger.ts';
import type { HubMetrics } from './metrics/hub-metrics.ts';
import type { HubWill } from './protocols/protocol-plugin.ts';
import type { DeviceAuth } from './security/device-auth.ts';
import { EmbeddedMqttBus } from './mqtt/embedded-bus.ts';
import { ExternalMqttBus } from './mqtt/external-bus.ts';

export async function createBus(
  config: HubConfig,
  logger: Logger,
  metrics: HubMetrics,
  will: HubWill | undefined,
  now: () => number,
  deviceAuth: DeviceAuth | undefined,
  clientId: string,
): Promise<MqttBus> {
  if (config.mqttUrl !== undefined) {
    return ExternalMqttBus.connect(config.mqttUrl, {
      logger,
      ...(config.mqttUsername !== undefined && { username: config.mqttUsername }),
      ...(config.mqttPassword !== undefined && { password: config.mqttPassword }),
      clientId,
      sessionExpirySeconds: config.mqttSessionExpiry,
      // Sparkplug host death certificate: offline STATE, QoS 1, retained ([tck-id-host-topic-phid-death-required]).
      ...(will !== undefined && { will }),
      ...(config.mqttSharedGroup !== undefined && { sharedGroup: config.mqttSharedGroup }),
    });
  }
  return EmbeddedMqttBus.create({
    maxPacketBytes: config.maxMessageBytes,
    logger,
    onRejected: (reason) => metrics.rejected.inc({ protocol: 'mqtt', reason }),
    ...(deviceAuth !== undefined && {
      authenticate: deviceAuth.authenticate,
      authorizePublish: deviceAuth.authorizePublish,
      authorizeSubscribe: deviceAuth.authorizeSubscribe,
    }),
    connectTimeoutMs: config.mqttConnectTimeoutMs,
    maxConnections: config.maxMqttConnections,
    maxSubscriptionsPerClient: config.maxSubscriptionsPerClient,
    maxRetainedMessages: config.maxRetainedMessages,
    maxRetainedBytes: config.maxRetainedBytes,
    now,
  });
}

/**
 * The hub's client id on an external broker when none is configured: stable across restarts of one
 * instance (same host, data dir and Sparkplug host id), so the broker keeps its session, and distinct
 * between instances that differ in any of them.
 */
export function derivedClientId(config: HubConfig): string {
  const identity = [hostname(), resolve(config.dataDir), config.sparkplugHostId].join('\0');
  return `llmiot-hub-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}
