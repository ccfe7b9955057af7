/** The native LLM-IoT protocol as a plug-in: JSON-RPC 2.0 over llmiot/v1/{client}/up|down, answered by the hub's dispatcher. */
import type { ProtocolPlugin } from '../protocol-plugin.ts';
import { NativeAdapter } from './adapter.ts';

export const nativeProtocol: ProtocolPlugin = {
  name: 'native',
  options: [],
  metricLabels: {
    messageTypes: ['jsonrpc'],
    rejectionReasons: ['bad_topic', 'spoofed_topic', 'oversized', 'malformed_json', 'unmatched_response', 'unserializable_answer', 'internal_error', 'method_not_allowed'],
  },
  create() {
    return {
      // The native protocol's methods are the hub's own: devices call them through the dispatcher.
      methods: () => [],
      async start(ctx) {
        const adapter = new NativeAdapter({
          bus: ctx.bus,
          dispatcher: ctx.dispatcher,
          registry: ctx.registry,
          ingress: ctx.ingress,
          logger: ctx.logger,
          metrics: ctx.metrics,
          maxMessageBytes: ctx.config.maxMessageBytes,
          now: ctx.now,
          ...(ctx.catchUp !== undefined && { catchUp: ctx.catchUp }),
        });
        await adapter.start();
        return {
          channel: adapter,
          stop: () => adapter.stop(),
          handleResponse: (message, context) => adapter.handleResponse(message, context),
          notificationFailed: (method, error, context) => adapter.notificationFailed(method, error, context),
        };
      },
    };
  },
};
