/** The web dashboard at `/`: the files Vite built into dist/dashboard/, with their content types, cache rules, CSP and gzip. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRoute } from './http-server.ts';

/**
 * The page runs only its own bundled script and style: no inline script, no eval, no framing, and it
 * talks to its own origin only ('self' covers ws:/wss: of the same host in CSP Level 3 §6.7.2.8).
 * uPlot and Preact set element styles through the CSSOM, which style-src does not restrict.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.map', '.txt']);

/** One built file, held in memory (the whole dashboard is a few hundred KiB), with its gzip form when that is smaller. */
interface Asset {
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly type: string;
  readonly cacheControl: string;
  readonly etag: string;
}

/**
 * Routes serving the dashboard built in `root` (index.html at `/`, hashed files under `/assets/`).
 * Public: the login page must load before any credential; everything it shows comes from /rpc and
 * /ws, which check the caller. When the dashboard was not built, `/` says how to build it (503).
 */
export function dashboardRoutes(root: string): HttpRoute[] {
  let assets: Map<string, Asset> | undefined;
  const load = (): Map<string, Asset> | undefined => (assets ??= existsSync(join(root, 'index.html')) ? loadAssets(root) : undefined);
  const serve = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const table = load();
    if (table === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`The dashboard is not built: run "npm run build" (it writes ${root}).\n`);
      return;
    }
    const asset = table.get(path);
    if (asset === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`Not found: ${path}\n`);
      return;
    }
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': asset.cacheControl,
      etag: asset.etag,
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(asset.type.startsWith('text/html') && { 'content-security-policy': DASHBOARD_CSP, 'x-frame-options': 'DENY' }),
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = asset.gzip !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? (asset.gzip as Buffer) : asset.body;
    res.writeHead(200, { ...headers, ...(gzip && { 'content-encoding': 'gzip' }), 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const pathOf = (req: IncomingMessage): string => decodeURIComponent((req.url ?? '/').split('?', 1)[0] ?? '/');
  return ['GET', 'HEAD'].flatMap((method) => [
    { method, path: '/', access: 'public' as const, handler: (req: IncomingMessage, res: ServerResponse) => serve(req, res, '/index.html') },
    { method, path: '/assets/*', access: 'public' as const, handler: (req: IncomingMessage, res: ServerResponse) => serve(req, res, pathOf(req)) },
    { method, path: '/favicon.svg', access: 'public' as const, handler: (req: IncomingMessage, res: ServerResponse) => serve(req, res, '/favicon.svg') },
  ]);
}

/** Read every built file once; a request can only name a file of this table, never a path on disk. */
function loadAssets(root: string): Map<string, Asset> {
  const table = new Map<string, Asset>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      const ext = extname(entry);
      const body = readFileSync(file);
      const urlPath = `/${relative(root, file).split(sep).join('/')}`;
      const packed = COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 9 }) : undefined;
      table.set(urlPath, {
        body,
        ...(packed !== undefined && packed.length < body.length && { gzip: packed }),
        type: TYPES[ext] ?? 'application/octet-stream',
        // Vite names files under assets/ by content hash: they never change. index.html names the current ones.
        cacheControl: urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
  };
  walk(root);
  return table;
}
