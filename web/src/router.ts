// Hash routes (#/devices/{id}, #/data, …): the hub serves one page, so links and reloads need no server routes.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly page: 'fleet' }
  | { readonly page: 'device'; readonly id: string }
  | { readonly page: 'data' }
  | { readonly page: 'commands' }
  | { readonly page: 'audit' }
  | { readonly page: 'approvals' }
  | { readonly page: 'approval'; readonly id: string }
  | { readonly page: 'not-found'; readonly path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?', 1)[0] || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'fleet' };
  const [head, id] = parts;
  if (head === 'devices' && id !== undefined && parts.length === 2) return { page: 'device', id };
  if (head === 'approvals' && id !== undefined && parts.length === 2) return { page: 'approval', id };
  if (parts.length === 1 && (head === 'data' || head === 'commands' || head === 'audit' || head === 'approvals')) return { page: head };
  return { page: 'not-found', path };
}

/** Query parameters after the route (`#/data?device=…`). */
export function routeQuery(): URLSearchParams {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const deviceHref = (id: string): string => `#/devices/${encodeURIComponent(id)}`;
export const approvalHref = (id: string): string => `#/approvals/${encodeURIComponent(id)}`;
