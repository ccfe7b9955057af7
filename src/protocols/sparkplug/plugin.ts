/** Sparkplug B 3.0 as a plug-in: the hub is a Host Application with its own STATE, births become devices. */
import type { ProtocolPlugin } from '../protocol-plugin.ts';
import { HostStateMessages, SparkplugHost } from './host/index.ts';
import { sparkplugMethods } from './methods.ts';
import { SPARKPLUG_REJECTION_REASONS } from './host/rejection-reasons.ts';
import { SPARKPLUG_B_NAMESPACE } from './codec/topic.ts';

export const sparkplugProtocol: ProtocolPlugin = {
  name: 'sparkplug',
  options: [
    { key: 'sparkplugHostId', flag: 'sparkplug-host-id', env: 'LLMIOT_SPARKPLUG_HOST_ID', type: 'string', description: 'Sparkplug host id: the hub publishes its STATE on spBv1.0/STATE/{id} (unique per broker)' },
    { key: 'sparkplugReorderTimeoutMs', flag: 'sparkplug-reorder-timeout-ms', env: 'LLMIOT_SPARKPLUG_REORDER_TIMEOUT_MS', type: 'integer', description: 'Sparkplug Reorder Timeout: ms a seq gap may stay open before the edge node is asked to rebirth' },
  ],
  metricLabels: {
    messageTypes: ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH'],
    rejectionReasons: SPARKPLUG_REJECTION_REASONS,
  },
  // One instance at a time orders an edge node's messages by seq; the others ignore them (src/cluster/).
  sessions: {
    keyOf(topic) {
      const levels = topic.split('/');
      if (levels[0] !== SPARKPLUG_B_NAMESPACE || levels[1] === 'STATE') return undefined;
      const edgeNodeId = levels[3];
      return edgeNodeId === undefined || edgeNodeId === '' ? undefined : edgeNodeId;
    },
    // NCMD/DCMD go out from the owner, which holds the node's aliases: a born node is an online device.
    remoteSupports: (device) => device.status === 'online' && device.protocols.includes('sparkplug'),
    // The others keep each node's birth certificates and recent messages, for a new owner to replay after its owner died.
    window: {
      starts: (topic) => topic.split('/')[2] === 'NBIRTH',
      keeps: (topic) => topic.split('/')[2] === 'DBIRTH',
    },
  },
  create(config, now) {
    // The will of the hub's connection and the STATE birth share one timestamp.
    const state = new HostStateMessages(config.sparkplugHostId, now());
    return {
      // Host death certificate: offline STATE, QoS 1, retained ([tck-id-host-topic-phid-death-required]).
      will: state.will(),
      methods: (services) => sparkplugMethods(services),
      async start(ctx) {
        const host = new SparkplugHost({
          bus: ctx.bus,
          registry: ctx.registry,
          ingress: ctx.ingress,
          logger: ctx.logger,
          metrics: ctx.metrics,
          state,
          maxMessageBytes: ctx.config.maxMessageBytes,
          reorderTimeoutMs: ctx.config.sparkplugReorderTimeoutMs,
          keepAliveMs: (ctx.config.heartbeatInterval * 1000) / 2,
          now: ctx.now,
        });
        await host.start();
        // The offline STATE goes out before the listeners close and the bus disconnects ([tck-id-operational-behavior-host-application-termination]).
        return {
          channel: host,
          goingOffline: () => host.goingOffline(),
          stop: () => host.stop(),
          adopt: (edgeNodeId, lastTopic) => host.adopt(edgeNodeId, lastTopic.split('/')[1]),
          replay: (_edgeNodeId, messages) => host.replay(messages),
        };
      },
    };
  },
};
