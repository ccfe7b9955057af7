/**
 * What a person does in a browser during an OAuth authorization, as plain HTTP: follow the redirects
 * with a cookie jar, fill the hub's login form, tick scopes on its consent page, and come back with
 * the code at the client's redirect URI. And an in-memory OAuthClientProvider for the MCP SDK client.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export const REDIRECT_URL = 'http://127.0.0.1:1/callback';

/** An MCP SDK OAuth client that keeps everything in memory and records where it was sent. */
export class MemoryOAuthClient implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';

  get redirectUrl(): string {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'Test MCP client', redirect_uris: [REDIRECT_URL], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.#client = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
}

/** A page the browser stopped at, or the client's redirect URI it reached. */
export type Stop = { readonly kind: 'page'; readonly url: string; readonly status: number; readonly html: string } | { readonly kind: 'redirect'; readonly url: URL };

export class Browser {
  readonly #cookies = new Map<string, { value: string; path: string }>();
  readonly #fetchFn: typeof fetch;

  /** @param fetchFn how requests go out (a TLS proxy in front of the hub: one that trusts its test certificate). */
  constructor(fetchFn: typeof fetch = fetch) {
    this.#fetchFn = fetchFn;
  }

  /** GET `url` and follow redirects until a page or the client's redirect URI. */
  async open(url: string | URL): Promise<Stop> {
    return this.#follow(await this.#fetch(String(url), { method: 'GET' }), String(url));
  }

  /** Submit the page's form (its action and hidden fields) with `fields`, following redirects. */
  async submit(from: Stop, fields: ReadonlyArray<readonly [string, string]>): Promise<Stop> {
    if (from.kind !== 'page') throw new Error('no page to submit');
    const action = /<form method="post" action="([^"]+)"/.exec(from.html)?.[1];
    if (action === undefined) throw new Error(`no form on the page: ${from.html}`);
    const body = new URLSearchParams();
    for (const [, name = '', value = ''] of from.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) body.append(name, value);
    for (const [name, value] of fields) body.append(name, value);
    const target = new URL(action.replaceAll('&amp;', '&'), from.url).toString();
    const origin = new URL(from.url).origin;
    return this.#follow(await this.#fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: body.toString() }), target);
  }

  async #follow(first: Response, firstUrl: string): Promise<Stop> {
    let res = first;
    let url = firstUrl;
    for (let hops = 0; hops < 10; hops++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) return { kind: 'page', url, status: res.status, html: await res.text() };
      await res.body?.cancel();
      const next = new URL(location, url);
      if (next.href.startsWith(REDIRECT_URL)) return { kind: 'redirect', url: next };
      url = next.toString();
      res = await this.#fetch(url, { method: 'GET' });
    }
    throw new Error('too many redirects');
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    const path = new URL(url).pathname;
    const cookie = [...this.#cookies].filter(([, c]) => path.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
    const res = await this.#fetchFn(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie !== '' && { cookie }) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const [name = '', value = ''] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const cookiePath = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const gone = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (gone || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path: cookiePath });
    }
    return res;
  }
}

/** Log in and consent in one go: the code at the redirect URI, or the page where it stopped. */
export async function authorize(browser: Browser, url: URL, user: { name: string; password: string }, scopes?: readonly string[]): Promise<string> {
  const loginPage = await browser.open(url);
  const consentPage = await browser.submit(loginPage, [['name', user.name], ['password', user.password]]);
  const choices = scopes ?? [...(consentPage.kind === 'page' ? consentPage.html.matchAll(/name="scope" value="([^"]+)" checked/g) : [])].map((m) => m[1] ?? '');
  const back = await browser.submit(consentPage, [...choices.map((s) => ['scope', s] as const), ['decision', 'allow']]);
  if (back.kind !== 'redirect') throw new Error(`authorization stopped at ${back.url} (${back.status}): ${back.html}`);
  const code = back.url.searchParams.get('code');
  if (code === null) throw new Error(`no code at the redirect URI: ${back.url.search}`);
  return code;
}
