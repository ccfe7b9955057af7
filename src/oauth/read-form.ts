/** Read a small `application/x-www-form-urlencoded` body (the login and consent forms). */
import type { IncomingMessage } from 'node:http';

/** The form's fields, or why the body is refused. */
export async function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams | string> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return 'the form must be sent as application/x-www-form-urlencoded';
  }
  const body = await new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      resolve(undefined);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
  if (body === undefined) return `the form is larger than ${limit} bytes`;
  return new URLSearchParams(body.toString('utf8'));
}
