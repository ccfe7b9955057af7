/** LwM2M entry: mutated JSON on `lwm2m/{endpoint}/reg|update|dereg|up/resp|up/notify|resp/…` from fuzz endpoints; acks on `dn` are counted (5.xx is a failure). */
import type { MemoryMqttClient } from '../../../src/mqtt/memory-client.ts';
import type { FuzzEntry } from '../entry.ts';
import { collectFragments, mutateJsonMessage, randomString, toJson, type Json, type MutationContext } from '../json-mutator.ts';
import type { Prng } from '../prng.ts';

const ENDPOINTS = ['fz-lw-0', 'fz-lw-1', 'fz-lw-2'];
const KINDS = ['reg', 'update', 'dereg', 'up/resp', 'up/notify', 'resp', 'resp/read'] as const;

function seeds(endpoint: string): Record<(typeof KINDS)[number], Json[]> {
  const registration = {
    endpoint,
    lifetime: 3600,
    version: '1.2',
    bindingMode: 'UQ',
    objects: {
      '3': { '0': { '0': 'IoT Testing Corp', '1': 'SimDevice-temperature_sensor', '2': 'SN-1', '3': '1.0', '9': 87, '13': 1767225600 } },
      '3303': { '0': { '5700': 21.5, '5701': 'Cel', '5601': -10, '5602': 40 } },
      '3304': { '0': { '5700': 45 } },
      '5': { '0': { '3': 0, '5': 0 } },
    },
  };
  const content = [
    { path: '/3303/0/5700', value: 22.5 },
    { path: '/3/0/0', value: 'IoT Testing Corp' },
    { path: '/3304/0/5700', value: 40 },
  ];
  const resp = { reqID: 1, msgType: 'read', data: { reqPath: '/3303/0/5700', code: '2.05', codeMsg: 'content', content } };
  return {
    reg: [toJson(registration), toJson({ endpoint, version: '1.1', objects: {} }), toJson({ endpoint, lifetime: 60, version: '1.2', objectList: '</3/0>,</3303/0>,</3303/1>' })],
    update: [toJson({ lifetime: 7200 }), toJson({ objects: registration.objects }), toJson({})],
    dereg: [toJson({}), toJson('')],
    'up/resp': [toJson(resp), toJson({ reqID: 2, msgType: 'write', data: { reqPath: '/3303/0/5750', code: '2.04', codeMsg: 'changed' } }), toJson({ reqID: 3, msgType: 'discover', data: { code: '2.05', content: ['</3303/0/5700>;pmin=1'] } })],
    'up/notify': [toJson({ reqID: 4, msgType: 'notify', seqNum: 1, data: { reqPath: '/3303/0/5700', code: '2.05', codeMsg: 'content', content: [{ path: '/3303/0/5700', value: 23.1 }] } })],
    resp: [toJson(resp)],
    'resp/read': [toJson(resp)],
  };
}

function topic(rng: Prng, endpoint: string, kind: string): string {
  const r = rng.float();
  if (r < 0.9) return `lwm2m/${endpoint}/${kind}`;
  if (r < 0.94) return `lwm2m/${rng.pick(ENDPOINTS)}/${kind}`;
  const level = randomString(rng).replace(/[+#\u0000]/g, '') || 'x';
  return rng.pick([`lwm2m/${level}/reg`, `lwm2m/${endpoint}/${level}`, `lwm2m/${endpoint}/resp/${level}`, `lwm2m/${endpoint}/up/${level}`, `lwm2m//reg`, `lwm2m/${endpoint}/resp//x`]);
}

export const lwm2mEntry: FuzzEntry = {
  name: 'lwm2m',
  concurrency: 32,
  async open(fh, recorder) {
    const byEndpoint = new Map(ENDPOINTS.map((e) => [e, seeds(e)]));
    const all = [...byEndpoint.values()].flatMap((s) => Object.values(s).flat());
    const { fragments, keys } = collectFragments(all);
    const context: MutationContext = { fragments, keys };
    const clients: MemoryMqttClient[] = [];
    const lastIndex = new Map<string, number>();
    for (const endpoint of ENDPOINTS) {
      const client = await fh.bus.connect(endpoint);
      await client.subscribeAsync(`lwm2m/${endpoint}/dn`, { qos: 1 });
      client.on('message', (_topic: string, payload: Buffer) => {
        let message: { msgType?: unknown; data?: { code?: unknown } };
        try {
          message = JSON.parse(payload.toString('utf8'));
        } catch {
          return recorder.fail('internal-error', lastIndex.get(endpoint) ?? 0, 'the hub sent invalid JSON on dn', payload);
        }
        const code = String(message.data?.code ?? '');
        recorder.count(`${String(message.msgType)}${code ? `:${code}` : ''}`);
        if (code.startsWith('5')) recorder.fail('internal-error', lastIndex.get(endpoint) ?? 0, `lwm2m ${String(message.msgType)} answered ${code} (near this input)`, payload);
      });
      clients.push(client);
    }
    return {
      async send(rng, index) {
        const client = rng.pick(clients);
        const kind = rng.pick(KINDS);
        const bytes = mutateJsonMessage(rng, byEndpoint.get(client.clientId)?.[kind] ?? [], context);
        lastIndex.set(client.clientId, index);
        try {
          await client.publishAsync(topic(rng, client.clientId, kind), bytes, { qos: rng.chance(0.5) ? 1 : 0 });
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
