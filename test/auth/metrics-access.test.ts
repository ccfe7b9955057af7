/** /metrics with auth on: closed to callers without a credential unless --metrics-public (a Prometheus on a trusted network). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { startTestHub } from '../support/test-hub.ts';

describe('/metrics access', () => {
  for (const metricsPublic of [false, true]) {
    it(`auth on, --metrics-public ${metricsPublic ? 'given' : 'not given'}`, async () => {
      const t = await startTestHub({ metricsPublic });
      try {
        const viewer = await createApiToken(t.hub.stores.tokens, { role: 'viewer' });
        const open = await fetch(`${t.httpUrl}/metrics`);
        assert.equal(open.status, metricsPublic ? 200 : 401);
        if (metricsPublic) assert.match(await open.text(), /llmiot_login_failures_total/);
        else assert.match(open.headers.get('www-authenticate') ?? '', /^Bearer scope="iot:read iot:write iot:admin"$/);
        const withToken = await fetch(`${t.httpUrl}/metrics`, { headers: { authorization: `Bearer ${viewer.token}` } });
        assert.equal(withToken.status, 200);
      } finally {
        await t.close();
      }
    });
  }
});
