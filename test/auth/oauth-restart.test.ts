/**
 * The built-in authorization server across a hub restart, on SQLite and on PostgreSQL: its signing
 * keys are not regenerated (an access token issued before still works), and the registered client,
 * the user's grant and the refresh token are still there (the client refreshes without a new login).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pg from 'pg';
import { addUser } from '../../src/auth/users.ts';
import type { HubConfig } from '../../src/config/options.ts';
import { authorize, Browser, MemoryOAuthClient } from '../support/oauth-browser.ts';
import { POSTGRES_URL, uniqueSuffix } from '../support/services.ts';
import { startTestHub } from '../support/test-hub.ts';

const PASSWORD = 'correct horse battery staple';
const schema = `llmiot_oauth_${uniqueSuffix().replaceAll('-', '_')}`;
after(async () => {
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
});

async function toolsWith(url: URL, token: string): Promise<string[]> {
  const client = new Client({ name: 'bearer', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

function describeRestart(backend: string, config: Partial<HubConfig>): void {
  it(`${backend}: keys, client, grant and refresh token survive a restart`, async () => {
    const first = await startTestHub(config);
    const port = Number(new URL(first.httpUrl).port);
    const url = new URL(`${first.httpUrl}/mcp`);
    const provider = new MemoryOAuthClient();
    let dataDir = first.dataDir;
    try {
      await addUser(first.hub.stores.users, { name: 'olive', role: 'operator', password: PASSWORD, iterations: 1000 });
      await assert.rejects(new Client({ name: 'c', version: '1' }).connect(new StreamableHTTPClientTransport(url, { authProvider: provider })));
      const code = await authorize(new Browser(), provider.authorizationUrl as URL, { name: 'olive', password: PASSWORD });
      await new StreamableHTTPClientTransport(url, { authProvider: provider }).finishAuth(code);
      dataDir = first.dataDir;
    } finally {
      await first.close({ keepData: true });
    }
    // Same store, same origin (the issuer is the origin the client calls).
    const second = await startTestHub(config, dataDir, { httpPort: port });
    try {
      assert.equal(second.httpUrl, url.origin);
      const issued = provider.tokens()?.access_token ?? '';
      assert.ok((await toolsWith(url, issued)).includes('update_device'), 'a token issued before the restart is still valid');
      assert.equal(await auth(provider, { serverUrl: url }), 'AUTHORIZED', 'the client refreshes without a new login');
      assert.notEqual(provider.tokens()?.access_token, issued);
      assert.ok((await toolsWith(url, provider.tokens()?.access_token ?? '')).includes('update_device'));
    } finally {
      await second.close();
    }
  });
}

describe('built-in OAuth authorization server across a restart', () => {
  describeRestart('SQLite', { store: 'sqlite' });
  describeRestart('PostgreSQL', { store: `${POSTGRES_URL}?schema=${schema}` });
});
