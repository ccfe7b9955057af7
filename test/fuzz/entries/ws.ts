/** WebSocket entry: mutated frames on /ws; tagged requests must be answered within the deadline, and a probe every 50 inputs too. */
import WebSocket from 'ws';
import type { FuzzEntry } from '../entry.ts';
import { collectFragments, mutateJsonRpc, type MutationContext } from '../json-mutator.ts';
import { clientRequests } from '../jsonrpc-seeds.ts';
import { countAnswer } from './http.ts';

interface Pending {
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

export const wsEntry: FuzzEntry = {
  name: 'ws',
  concurrency: 16,
  async open(fh, recorder, { deadlineMs }) {
    const seeds = clientRequests();
    const { fragments, keys } = collectFragments(seeds);
    const context: MutationContext = { fragments, keys, methods: fh.hub.methods.list().map((m) => m.name) };
    const url = `${fh.httpUrl.replace(/^http/, 'ws')}/ws`;
    const pending = new Map<string, Pending>();
    let closing = false;
    let lastSent = 0;

    /** Every socket opened and not yet closed: close() must leave none open on either side. */
    const open = new Set<WebSocket>();
    const connect = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        // Up to `concurrency` requests wait on one socket, each with a close listener.
        ws.setMaxListeners(0);
        open.add(ws);
        ws.once('close', (code: number) => {
          open.delete(ws);
          recorder.count(`ws-close:${code}`);
          if (code === 1011 && !closing) recorder.fail('internal-error', lastSent, 'ws closed with 1011 (internal error)');
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        ws.on('message', (data: Buffer) => {
          const text = data.toString('utf8');
          let ids: string[] = [];
          try {
            const parsed = JSON.parse(text) as unknown;
            ids = (Array.isArray(parsed) ? parsed : [parsed]).map((a: { id?: unknown }) => String(a?.id));
          } catch {
            // countAnswer reports it.
          }
          const index = ids.map((id) => (id.startsWith('fz-') ? Number(id.slice(3)) : NaN)).find((n) => !Number.isNaN(n)) ?? -1;
          countAnswer(recorder, index, text, Buffer.from(''), 'ws');
          for (const id of ids) {
            const p = pending.get(id);
            if (p) {
              clearTimeout(p.timer);
              pending.delete(id);
              p.resolve();
            }
          }
        });
      });

    const sockets: WebSocket[] = [];
    for (let i = 0; i < 2; i++) sockets.push(await connect());
    /** The reconnection of a slot in progress: the concurrent senders that find its socket closed share it. */
    const reconnecting = new Map<number, Promise<WebSocket>>();
    /**
     * A socket the hub closed is replaced, once: each sender opening its own replacement left all but
     * the last open and unreferenced (thousands over a long run, until the hub's connection cap).
     * The close code is counted (1011 is a failure).
     */
    const socketFor = async (slot: number): Promise<WebSocket> => {
      const ws = sockets[slot] as WebSocket;
      if (ws.readyState === WebSocket.OPEN) return ws;
      if (ws.readyState === WebSocket.CONNECTING) {
        await new Promise((resolve) => ws.once('open', resolve).once('error', resolve));
        return ws;
      }
      let next = reconnecting.get(slot);
      if (next === undefined) {
        next = connect().then((fresh) => (sockets[slot] = fresh));
        reconnecting.set(slot, next);
        void next.then(
          () => reconnecting.delete(slot),
          () => reconnecting.delete(slot),
        );
      }
      return next;
    };
    const await_ = (id: string, index: number, input: Buffer, ws: WebSocket): Promise<void> =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          ws.off('close', closed);
          if (!closing && ws.readyState === WebSocket.OPEN) recorder.fail('hang', index, `ws: no answer to ${id} within ${deadlineMs} ms`, input);
          resolve();
        }, deadlineMs);
        const closed = (): void => {
          clearTimeout(timer);
          pending.delete(id);
          resolve();
        };
        // The close listener goes with the answer: one per request on a long-lived socket piles up otherwise.
        pending.set(id, {
          resolve: () => {
            ws.off('close', closed);
            resolve();
          },
          timer,
        });
        ws.once('close', closed);
      });
    return {
      async send(rng, index) {
        const slot = rng.int(sockets.length);
        const input = mutateJsonRpc(rng, index, seeds, context);
        // Mostly valid UTF-8 text frames (invalid UTF-8 closes the socket, RFC 6455 §8.1); sometimes raw bytes or a binary frame.
        const raw = rng.chance(0.03);
        const binary = rng.chance(0.02);
        const bytes = raw || binary ? input.bytes : Buffer.from(input.bytes.toString('utf8'));
        // A binary frame is not JSON-RPC text, and an oversized one is not read: their answers have id null.
        const id = binary || bytes.length > fh.hub.config.maxMessageBytes ? undefined : input.id;
        const ws = await socketFor(slot);
        lastSent = index;
        const answered = id === undefined ? undefined : await_(id, index, bytes, ws);
        await new Promise<void>((resolve) => ws.send(bytes, { binary }, () => resolve()));
        if (answered) await answered;
        if (index % 50 === 0) {
          const probe = `probe-${index}`;
          const ws2 = await socketFor(slot);
          const p = await_(probe, index, bytes, ws2);
          ws2.send(JSON.stringify({ jsonrpc: '2.0', id: probe, method: 'device.list', params: { limit: 1 } }));
          await p;
        }
      },
      async close() {
        closing = true;
        await Promise.all(
          [...open].map(
            (ws) =>
              new Promise<void>((resolve) => {
                if (ws.readyState === WebSocket.CLOSED) return resolve();
                ws.once('close', () => resolve());
                ws.close();
              }),
          ),
        );
      },
    };
  },
};
