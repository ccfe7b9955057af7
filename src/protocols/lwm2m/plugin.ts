/** LwM2M 1.2 over MQTT (EMQX-style JSON on lwm2m/{endpoint}/…) as a plug-in: device management and IPSO sensors. */
import type { ProtocolPlugin } from '../protocol-plugin.ts';
import { Lwm2mAdapter } from './adapter/index.ts';
import { lwm2mMethods } from './methods.ts';
import { parseUplinkTopic } from './adapter/topics.ts';

export const lwm2mProtocol: ProtocolPlugin = {
  name: 'lwm2m',
  options: [],
  metricLabels: {
    messageTypes: ['register', 'update', 'deregister', 'response', 'notify'],
    // lwm2m-adapter.ts, registration-handler.ts, operation-runner.ts and rejection-reason.ts.
    rejectionReasons: [
      'bad_topic', 'spoofed_topic', 'oversized', 'malformed_json', 'invalid_message', 'invalid_registration', 'invalid_path', 'invalid_value',
      'operation_not_allowed', 'invalid_schema', 'not_registered', 'endpoint_mismatch', 'unmatched_response', 'unobserved', 'telemetry_not_stored', 'internal_error',
    ],
  },
  // One instance holds an endpoint's registration; the others pass its messages and commands on (src/cluster/).
  sessions: {
    keyOf: (topic) => parseUplinkTopic(topic)?.endpoint,
    // The registration lives on the owner (and in the shared store, for the next owner): a registered endpoint is an online device.
    remoteSupports: (device) => device.status === 'online' && device.protocols.includes('lwm2m'),
  },
  create() {
    return {
      methods: (services) => lwm2mMethods(services),
      async start(ctx) {
        const adapter = new Lwm2mAdapter({
          bus: ctx.bus,
          registry: ctx.registry,
          ingress: ctx.ingress,
          events: ctx.events,
          logger: ctx.logger,
          metrics: ctx.metrics,
          maxMessageBytes: ctx.config.maxMessageBytes,
          now: ctx.now,
          ...(ctx.sessionStore !== undefined && { sessionStore: ctx.sessionStore }),
        });
        await adapter.start();
        return { channel: adapter, stop: () => adapter.stop(), adopt: (endpoint) => adapter.adopt(endpoint), release: (endpoint) => adapter.release(endpoint) };
      },
    };
  },
};

