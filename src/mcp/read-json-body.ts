/** Read a request body as JSON, giving up as soon as it passes the limit. */
import type { IncomingMessage } from 'node:http';

/** The parsed body, or why there is none. */
export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: 'too-large' | 'invalid-json' | 'aborted' };

/** Read and parse the body; stops reading (and pauses the request) past `limit` bytes. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: JsonBody): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too-large' });
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      try {
        finish({ ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown });
      } catch {
        finish({ ok: false, reason: 'invalid-json' });
      }
    });
    req.once('error', () => finish({ ok: false, reason: 'aborted' }));
    req.once('close', () => {
      if (!req.complete) finish({ ok: false, reason: 'aborted' });
    });
  });
}
