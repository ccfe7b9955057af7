/** HTTP entry: mutated bodies POSTed to /rpc on a listening hub; every request must be answered within the deadline, never with -32603 or a 5xx. */
import { request as httpRequest, Agent } from 'node:http';
import type { FuzzEntry, Recorder } from '../entry.ts';
import { collectFragments, mutateJsonRpc, type MutationContext } from '../json-mutator.ts';
import { clientRequests } from '../jsonrpc-seeds.ts';

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '', 'application/json; charset=latin1'];

/** Count the JSON-RPC error codes of an answer body; -32603 is a failure. */
export function countAnswer(recorder: Recorder, index: number, body: string, input: Buffer, where: string): void {
  if (body === '') return recorder.count('empty');
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return recorder.fail('internal-error', index, `${where}: the answer is not JSON: ${body.slice(0, 200)}`, input);
  }
  for (const a of Array.isArray(answer) ? answer : [answer]) {
    const code = (a as { error?: { code?: unknown } } | null)?.error?.code;
    if (code === undefined) recorder.count('result');
    else {
      recorder.count(String(code));
      if (code === -32603) recorder.fail('internal-error', index, `${where}: -32603 ${JSON.stringify(a).slice(0, 300)}`, input);
    }
  }
}

export const httpEntry: FuzzEntry = {
  name: 'http',
  concurrency: 16,
  async open(fh, recorder, { deadlineMs }) {
    const seeds = clientRequests();
    const { fragments, keys } = collectFragments(seeds);
    const context: MutationContext = { fragments, keys, methods: fh.hub.methods.list().map((m) => m.name) };
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const url = new URL('/rpc', fh.httpUrl);
    return {
      send(rng, index) {
        const { bytes } = mutateJsonRpc(rng, index, seeds, context);
        const contentType = rng.chance(0.95) ? 'application/json' : rng.pick(CONTENT_TYPES);
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            recorder.fail('hang', index, `POST /rpc not answered within ${deadlineMs} ms`, bytes);
            req.destroy();
            resolve();
          }, deadlineMs);
          const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': bytes.length } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              clearTimeout(timer);
              const status = res.statusCode ?? 0;
              recorder.count(`http:${status}`);
              if (status >= 500) recorder.fail('internal-error', index, `POST /rpc answered HTTP ${status}`, bytes);
              countAnswer(recorder, index, Buffer.concat(chunks).toString('utf8'), bytes, 'POST /rpc');
              resolve();
            });
            res.on('error', () => undefined);
          });
          req.on('error', (error) => {
            clearTimeout(timer);
            recorder.count(`http-error:${(error as NodeJS.ErrnoException).code ?? error.message}`);
            resolve();
          });
          req.end(bytes);
        });
      },
      async close() {
        agent.destroy();
      },
    };
  },
};
