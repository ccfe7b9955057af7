/** A tiny OpenID Connect issuer for tests: discovery document and JWKS on 127.0.0.1:0, tokens signed with jose. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function signingKey(kid: string, alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface TestIssuer {
  /** The issuer URL (`iss`), http://127.0.0.1:<port>. */
  readonly url: string;
  /** The keys the JWKS publishes; replace to rotate. */
  keys: SigningKey[];
  /** How many times the JWKS was fetched. */
  readonly jwksFetches: () => number;
  /** A token signed with `key` (default the first published one); `claims` override the defaults (sub, exp in 5 min). */
  sign(claims: JWTPayload, options?: { key?: SigningKey; now?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  let fetches = 0;
  let url = '';
  const issuer: TestIssuer = {
    get url() {
      return url;
    },
    keys: [await signingKey('key-1')],
    jwksFetches: () => fetches,
    async sign(claims, options = {}) {
      const key = options.key ?? issuer.keys[0];
      if (key === undefined) throw new Error('the test issuer has no key');
      const iat = Math.floor((options.now ?? Date.now()) / 1000);
      return new SignJWT({ sub: 'alice', iss: url, iat, exp: iat + 300, ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const send = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') return send({ issuer: url, jwks_uri: `${url}/jwks`, id_token_signing_alg_values_supported: ['ES256'] });
    if (req.url === '/jwks') {
      fetches++;
      return send({ keys: issuer.keys.map((k) => k.jwk) });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return issuer;
}
