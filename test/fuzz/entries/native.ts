/** Native MQTT entry: JSON-RPC on `llmiot/v1/{id}/up` from fuzz devices on the hub's bus; answers on `…/down` are checked. */
import type { MemoryMqttClient } from '../../../src/mqtt/memory-client.ts';
import type { FuzzEntry } from '../entry.ts';
import { collectFragments, mutateJsonRpc, randomString, type MutationContext } from '../json-mutator.ts';
import { deviceMessages } from '../jsonrpc-seeds.ts';
import type { Prng } from '../prng.ts';

const CLIENTS = ['fz-n0', 'fz-n1', 'fz-n2', 'fz-n3'];

/** A topic under the native prefix: usually the client's own uplink, sometimes another's (spoofing) or a malformed one. */
export function nativeTopic(rng: Prng, own: string): string {
  const r = rng.float();
  if (r < 0.9) return `llmiot/v1/${own}/up`;
  if (r < 0.94) return `llmiot/v1/${rng.pick(CLIENTS)}/up`;
  const id = randomString(rng).replace(/[+#\u0000]/g, '') || 'x';
  return rng.pick([`llmiot/v1/${id}/up`, `llmiot/v1/${own}/${id}/up`, `llmiot/v1//up`, `llmiot/v1/${own}/up/x`, `llmiot/v1/${own}/up/`, `llmiot/v2/${own}/up`]);
}

export const nativeEntry: FuzzEntry = {
  name: 'native',
  concurrency: 32,
  async open(fh, recorder) {
    const seeds = CLIENTS.flatMap((id) => deviceMessages(id));
    const { fragments, keys } = collectFragments(seeds);
    const context: MutationContext = { fragments, keys, methods: fh.hub.methods.list().map((m) => m.name) };
    const clients: MemoryMqttClient[] = [];
    const lastIndex = new Map<string, number>();
    for (const id of CLIENTS) {
      const client = await fh.bus.connect(id);
      await client.subscribeAsync(`llmiot/v1/${id}/down`, { qos: 1 });
      client.on('message', (_topic: string, payload: Buffer) => {
        let message: { id?: unknown; error?: { code?: unknown }; result?: unknown; method?: unknown };
        try {
          message = JSON.parse(payload.toString('utf8'));
        } catch {
          recorder.fail('internal-error', lastIndex.get(id) ?? 0, 'the hub sent invalid JSON on down', payload);
          return;
        }
        for (const m of Array.isArray(message) ? message : [message]) {
          if (m.method !== undefined) recorder.count(m.id === undefined ? 'notification' : 'command');
          else if (m.error !== undefined) {
            recorder.count(String(m.error.code));
            if (m.error.code === -32603) {
              const tagged = typeof m.id === 'string' && m.id.startsWith('fz-') ? Number(m.id.slice(3)) : undefined;
              recorder.fail('internal-error', tagged ?? lastIndex.get(id) ?? 0, `-32603 on native (${tagged === undefined ? 'near' : 'at'} this input)`, payload);
            }
          } else recorder.count('result');
        }
      });
      clients.push(client);
    }
    return {
      async send(rng, index) {
        const client = rng.pick(clients);
        const { bytes } = mutateJsonRpc(rng, index, seeds, context);
        lastIndex.set(client.clientId, index);
        try {
          await client.publishAsync(nativeTopic(rng, client.clientId), bytes, { qos: rng.chance(0.5) ? 1 : 0 });
        } catch (error) {
          recorder.count(`client-refused:${error instanceof Error ? error.message.split(':')[0] : 'error'}`);
        }
      },
      async close() {
        await Promise.all(clients.map((c) => c.endAsync()));
      },
    };
  },
};
