/** LwM2M 1.2 over MQTT (EMQX-style JSON on lwm2m/{endpoint}/…) as a plug-in: device management and IPSO sensors. */
import type { ProtocolPlugin } from '../protocol-plugin.ts';
import { Lwm2mAdapter } from './adapter/index.ts';
import { lwm2mMethods } from './methods.ts';

export const lwm2mProtocol: ProtocolPlugin = {
  name: 'lwm2m',
  options: [],
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
        });
        await adapter.start();
        return { channel: adapter, stop: () => adapter.stop() };
      },
    };
  },
};
