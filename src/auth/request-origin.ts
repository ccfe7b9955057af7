/** The origin a request was made to, as the hub names itself in URLs it hands out (resource, issuer). */
import type { IncomingMessage } from 'node:http';

/**
 * The base URL the client used (scheme from the socket, host from the checked Host header, in lower
 * case): the origin of the resource's URL and of the built-in authorization server's issuer.
 */
export function baseUrl(req: IncomingMessage): string {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? 'https' : 'http'}://${(req.headers.host ?? 'localhost').toLowerCase()}`;
}
