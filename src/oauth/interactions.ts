/**
 * The built-in authorization server's login and consent steps (oidc-provider "interactions"): the
 * hub's own pages at /oauth/interaction/<uid>. Login checks a hub user's password under the shared
 * login throttle; consent shows the client and the scopes asked, and grants only those the user's
 * role reaches. Both forms carry a CSRF token bound to the interaction (and oidc-provider binds the
 * interaction to the browser by a cookie); the routes also refuse foreign Origins.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { ROLE_SCOPE, ROLES, roleAtLeast, type Role } from '../core/principal.ts';
import type { UserStore } from '../core/ports/user-store.ts';
import type { UserSessions } from '../auth/user-sessions.ts';
import { consentPage, errorPage, loginPage, SCOPE_DESCRIPTIONS } from './pages.ts';
import { INTERACTION_PREFIX, RESOURCE_SCOPES } from './provider-config.ts';
import { readForm } from './read-form.ts';

/** A login or consent form is a few short fields. */
const MAX_FORM_BYTES = 4096;

export interface InteractionDeps {
  readonly users: UserStore;
  readonly sessions: UserSessions;
  /** Key of the forms' CSRF tokens (one of the server's cookie keys). */
  readonly csrfKey: string;
  /** The client's address, for the login throttle (taken before the request's X-Forwarded-* are rewritten for the provider). */
  readonly client: string | undefined;
}

/** Serve GET /oauth/interaction/<uid>, POST …/<uid>/login and POST …/<uid>/consent. */
export async function serveInteraction(req: IncomingMessage, res: ServerResponse, provider: Provider, deps: InteractionDeps): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const [uid, step, ...extra] = path.slice(INTERACTION_PREFIX.length).split('/');
  if (uid === undefined || uid === '' || extra.length > 0) return page(res, 404, (nonce) => errorPage('not_found', 'no such page', nonce));
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    req.resume();
    // The interaction expired (10 min) or belongs to another browser (its cookie is missing).
    return page(res, 400, (nonce) => errorPage('invalid_request', 'this sign-in has expired or was started in another browser: start again from the application', nonce));
  }
  if (details.uid !== uid) return page(res, 400, (nonce) => errorPage('invalid_request', 'this sign-in does not match the page', nonce));
  const method = req.method ?? 'GET';
  if (method === 'GET' && step === undefined) return showStep(res, provider, details, deps);
  if (method !== 'POST' || (step !== 'login' && step !== 'consent')) {
    req.resume();
    return page(res, 405, (nonce) => errorPage('invalid_request', `${method} is not allowed here`, nonce));
  }
  const form = await readForm(req, MAX_FORM_BYTES);
  if (typeof form === 'string') return page(res, 400, (nonce) => errorPage('invalid_request', form, nonce));
  if (!csrfMatches(deps.csrfKey, uid, form.get('csrf'))) return page(res, 403, (nonce) => errorPage('invalid_request', 'the form is stale or was not sent from this page: reload it', nonce));
  if (step === 'login' && details.prompt.name === 'login') return login(req, res, provider, details, form, deps);
  if (step === 'consent' && details.prompt.name === 'consent') return consent(req, res, provider, details, form, deps);
  return page(res, 400, (nonce) => errorPage('invalid_request', 'this step is already done: reload the page', nonce));
}

async function showStep(res: ServerResponse, provider: Provider, details: InteractionDetails, deps: InteractionDeps): Promise<void> {
  const client = await provider.Client.find(String(details.params['client_id'] ?? ''));
  const clientName = client?.clientName ?? client?.clientId ?? 'An application';
  const action = `${INTERACTION_PREFIX}${details.uid}`;
  const csrf = csrfToken(deps.csrfKey, details.uid);
  if (details.prompt.name === 'login') return page(res, 200, (nonce) => loginPage({ action: `${action}/login`, csrf, clientName }, nonce));
  if (details.prompt.name !== 'consent') return page(res, 400, (nonce) => errorPage('invalid_request', `unsupported step ${details.prompt.name}`, nonce));
  const user = details.session === undefined ? undefined : await deps.users.userByName(details.session.accountId);
  if (user === undefined || user.disabledAt !== null) return finish(provider, res, details, { error: 'access_denied', error_description: 'the user was removed or disabled' });
  const redirect = URL.parse(String(details.params['redirect_uri'] ?? ''));
  return page(res, 200, (nonce) =>
    consentPage(
      {
        action: `${action}/consent`,
        csrf,
        clientName,
        clientId: client?.clientId ?? '',
        redirectHost: redirect?.host ?? 'unknown',
        user: user.name,
        role: user.role,
        scopes: requestedScopes(details).map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] ?? scope, grantable: grantable(scope, user.role) })),
      },
      nonce,
    ),
  );
}

async function login(req: IncomingMessage, res: ServerResponse, provider: Provider, details: InteractionDetails, form: URLSearchParams, deps: InteractionDeps): Promise<void> {
  const name = form.get('name') ?? '';
  const outcome = await deps.sessions.checkPassword(name, form.get('password') ?? '', deps.client ?? 'unknown');
  if (!outcome.ok) {
    const client = await provider.Client.find(String(details.params['client_id'] ?? ''));
    const again = { action: `${INTERACTION_PREFIX}${details.uid}/login`, csrf: csrfToken(deps.csrfKey, details.uid), clientName: client?.clientName ?? client?.clientId ?? 'An application', name };
    if (outcome.throttled) {
      res.setHeader('Retry-After', String(Math.ceil(outcome.retryAfterMs / 1000)));
      return page(res, 429, (nonce) => loginPage({ ...again, error: 'Too many failed sign-ins: try again later.' }, nonce));
    }
    // One answer for an unknown name and a wrong password.
    return page(res, 401, (nonce) => loginPage({ ...again, error: 'Wrong user name or password.' }, nonce));
  }
  return finish(provider, res, details, { login: { accountId: outcome.user.name } });
}

async function consent(req: IncomingMessage, res: ServerResponse, provider: Provider, details: InteractionDetails, form: URLSearchParams, deps: InteractionDeps): Promise<void> {
  const accountId = details.session?.accountId;
  const user = accountId === undefined ? undefined : await deps.users.userByName(accountId);
  if (user === undefined || user.disabledAt !== null) return finish(provider, res, details, { error: 'access_denied', error_description: 'the user was removed or disabled' });
  if (form.get('decision') !== 'allow') return finish(provider, res, details, { error: 'access_denied', error_description: 'the user denied access' });
  const chosen = new Set(form.getAll('scope'));
  const clientId = String(details.params['client_id'] ?? '');
  const grant = (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId: user.name, clientId });
  const promptDetails = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  // OpenID scopes (openid, offline_access) carry no power over devices: granted as asked.
  if (promptDetails.missingOIDCScope !== undefined) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
  const resources = Object.keys(promptDetails.missingResourceScopes ?? {});
  for (const resource of resources) {
    const scopes = promptDetails.missingResourceScopes?.[resource] ?? [];
    // The server decides, not the form: only a scope the user ticked AND their role reaches is granted.
    const allowed = scopes.filter((scope) => chosen.has(scope) && grantable(scope, user.role));
    const refused = scopes.filter((scope) => !allowed.includes(scope));
    if (allowed.length > 0) grant.addResourceScope(resource, allowed.join(' '));
    if (refused.length > 0) grant.rejectResourceScope(resource, refused.join(' '));
  }
  // A token with no scope could call nothing: say so to the client instead of issuing it.
  if (resources.length > 0 && resources.every((resource) => grant.getResourceScope(resource) === '')) {
    return finish(provider, res, details, { error: 'access_denied', error_description: 'no permission was granted' });
  }
  const grantId = await grant.save();
  return finish(provider, res, details, { consent: { grantId } });
}

/** The resource scopes the client asks for and has not been granted yet, lowest role first. */
function requestedScopes(details: InteractionDetails): string[] {
  const missing = (details.prompt.details as { missingResourceScopes?: Record<string, string[]> }).missingResourceScopes ?? {};
  const asked = new Set(Object.values(missing).flat());
  return RESOURCE_SCOPES.filter((scope) => asked.has(scope));
}

/** True when `role` reaches the role of `scope`. */
function grantable(scope: string, role: Role): boolean {
  const needed = ROLES.find((r) => ROLE_SCOPE[r] === scope);
  return needed !== undefined && roleAtLeast(role, needed);
}

async function finish(provider: Provider, res: ServerResponse, details: InteractionDetails, result: Parameters<Provider['interactionFinished']>[2]): Promise<void> {
  await provider.interactionFinished(res.req, res, result, { mergeWithLastSubmission: details.prompt.name !== 'login' });
}

function csrfToken(key: string, uid: string): string {
  return createHmac('sha256', key).update(`interaction-csrf:${uid}`).digest('base64url');
}

function csrfMatches(key: string, uid: string, given: string | null): boolean {
  const expected = Buffer.from(csrfToken(key, uid));
  const actual = Buffer.from(given ?? '');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Send a page with headers that forbid framing (clickjacking on consent), caching and any script. */
function page(res: ServerResponse, status: number, body: string | ((nonce: string) => string)): void {
  const nonce = randomBytes(16).toString('base64');
  const html = typeof body === 'string' ? body : body(nonce);
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    // No form-action: browsers apply it to the redirect chain back to the client's redirect URI.
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(html);
}
