/** The origin a request was made to, as the hub names itself in URLs it hands out (resource, issuer). */
import type { IncomingMessage } from 'node:http';

/**
 * The base URL the client used (scheme from the socket, host from the checked Host header, in lower
 * case): the origin of the resource's URL and of the built-in authorization server's issuer when no
 * `--public-url` is configured.
 */
export function baseUrl(req: IncomingMessage): string {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? 'https' : 'http'}://${(req.headers.host ?? 'localhost').toLowerCase()}`;
}

/**
 * The origin of `--public-url` (`https://hub.example.com`), or undefined when none is set. The hub is
 * served at the root of that origin (the dashboard, `/mcp`, the OAuth issuer), so a path, query or
 * fragment is refused rather than silently dropped: behind a proxy that adds a prefix, every URL the
 * hub hands out would be wrong.
 */
export function publicOrigin(publicUrl: string | undefined): string | undefined {
  if (publicUrl === undefined || publicUrl.trim() === '') return undefined;
  const url = URL.parse(publicUrl.trim());
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new Error(`--public-url "${publicUrl}": must be an http:// or https:// URL with no credentials (https://hub.example.com)`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new Error(`--public-url "${publicUrl}": must be an origin with no path (${url.origin}); the hub is served at the root of its address`);
  }
  return url.origin;
}
