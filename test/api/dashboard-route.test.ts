/** The dashboard's files at /: content types, cache rules (hashed assets immutable, index no-cache), CSP without inline script, gzip, ETag. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { assertDashboardBuilt } from '../support/browser.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

let t: TestHub;
before(async () => {
  assertDashboardBuilt();
  t = await startTestHub();
});
after(() => t.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.httpUrl}${path}`, { headers });

describe('dashboard files', () => {
  it('/ is the built index page, not cached without revalidation, under a strict CSP', async () => {
    const response = await get('/');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const html = await response.text();
    assert.equal(html, readFileSync('dist/dashboard/index.html', 'utf8'));
    // Every script is a file of the bundle: nothing inline for the CSP to refuse.
    for (const script of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
      assert.match(script[0], /src="\/assets\/[^"]+\.js"/);
      assert.equal(script[1]?.trim(), '');
    }
  });

  it('hashed assets are immutable for a year, with their content type, gzip when asked, and 304 on a matching ETag', async () => {
    const files = readdirSync('dist/dashboard/assets');
    const script = files.find((f) => f.endsWith('.js'));
    const style = files.find((f) => f.endsWith('.css'));
    assert.ok(script !== undefined && style !== undefined, `built assets: ${files.join(', ')}`);
    const js = await get(`/assets/${script}`, { 'accept-encoding': 'gzip, br' });
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('vary'), 'Accept-Encoding');
    // fetch decodes gzip itself; the header says the hub sent it compressed.
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    assert.equal(await js.text(), readFileSync(`dist/dashboard/assets/${script}`, 'utf8'));
    const css = await get(`/assets/${style}`, { 'accept-encoding': 'identity' });
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('content-encoding'), null);
    assert.equal(Number(css.headers.get('content-length')), readFileSync(`dist/dashboard/assets/${style}`).length);
    const again = await get(`/assets/${script}`, { 'if-none-match': js.headers.get('etag') ?? '' });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  it('the gzip body is the file compressed', async () => {
    const { request } = await import('node:http');
    const body = await new Promise<Buffer>((resolve, reject) => {
      request(`${t.httpUrl}/`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(gunzipSync(body).toString('utf8'), readFileSync('dist/dashboard/index.html', 'utf8'));
  });

  it('a path that is not a built file is 404, never a file elsewhere on disk', async () => {
    assert.equal((await get('/assets/missing.js')).status, 404);
    assert.equal((await get('/assets/..%2F..%2Fpackage.json')).status, 404);
  });
});
