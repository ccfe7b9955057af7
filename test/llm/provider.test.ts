/**
 * LLM provider configuration and failures: LLM_NOT_CONFIGURED with the flags to set, key precedence,
 * the anthropic / openai / openai-compatible adapters on the wire, and LLM_PROVIDER_ERROR for an
 * unreachable server, a refused key, or a failure after tools already ran.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { OPTIONS } from '../../src/plugins.ts';
import { DEFAULTS } from '../../src/config/options.ts';
import { createHub } from '../../src/hub.ts';
import { resolveLlmSettings } from '../../src/llm/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { ScriptedModel } from './scripted-model.ts';

const COMMAND = { command: 'Read temperature from all BMP580 sensors in the greenhouse' };

/** An HTTP server that records one request per call and refuses it with 401, like a vendor API given a bad key. */
async function refusingServer(): Promise<{ url: string; seen: { path: string; headers: IncomingHttpHeaders; body: any }[]; close(): Promise<void> }> {
  const seen: { path: string; headers: IncomingHttpHeaders; body: any }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('LLM provider settings', () => {
  const base = { llmProvider: undefined, llmModel: undefined, llmBaseUrl: undefined, llmApiKey: undefined };

  it('takes --llm-api-key over LLMIOT_LLM_API_KEY, and either over the vendor variable', () => {
    const env = { LLMIOT_LLM_PROVIDER: 'anthropic', LLMIOT_LLM_API_KEY: 'from-env', ANTHROPIC_API_KEY: 'vendor' };
    const fromFlag = loadConfig(['--llm-api-key', 'from-flag'], env, OPTIONS).config;
    assert.deepEqual(resolveLlmSettings(fromFlag, env), { configured: true, settings: { provider: 'anthropic', model: 'claude-sonnet-4-5', apiKey: 'from-flag' } });
    const fromEnv = loadConfig([], env, OPTIONS).config;
    assert.equal(resolveLlmSettings(fromEnv, env).configured && (resolveLlmSettings(fromEnv, env) as any).settings.apiKey, 'from-env');
    const vendor = resolveLlmSettings({ ...base, llmProvider: 'anthropic' }, { ANTHROPIC_API_KEY: 'vendor', OPENAI_API_KEY: 'other' });
    assert.deepEqual(vendor, { configured: true, settings: { provider: 'anthropic', model: 'claude-sonnet-4-5', apiKey: 'vendor' } });
    const openai = resolveLlmSettings({ ...base, llmProvider: 'openai', llmModel: 'gpt-4.1-mini' }, { ANTHROPIC_API_KEY: 'x', OPENAI_API_KEY: 'sk-o' });
    assert.deepEqual(openai, { configured: true, settings: { provider: 'openai', model: 'gpt-4.1-mini', apiKey: 'sk-o' } });
  });

  it('never hands OPENAI_API_KEY to an OpenAI-compatible server, which needs a base URL and a model instead', () => {
    const local = resolveLlmSettings({ ...base, llmProvider: 'openai-compatible', llmModel: 'qwen2.5', llmBaseUrl: 'http://127.0.0.1:11434/v1' }, { OPENAI_API_KEY: 'sk-secret' });
    assert.deepEqual(local, { configured: true, settings: { provider: 'openai-compatible', model: 'qwen2.5', baseUrl: 'http://127.0.0.1:11434/v1' } });
    const partial = resolveLlmSettings({ ...base, llmProvider: 'openai-compatible' }, {});
    assert.equal(partial.configured, false);
    assert.match((partial as { hint: string }).hint, /--llm-model <id> \(LLMIOT_LLM_MODEL\).*--llm-base-url <url> \(LLMIOT_LLM_BASE_URL\)/);
    const noKey = resolveLlmSettings({ ...base, llmProvider: 'anthropic' }, { OPENAI_API_KEY: 'sk-o' });
    assert.match((noKey as { hint: string }).hint, /--llm-api-key <key> \(LLMIOT_LLM_API_KEY\) or ANTHROPIC_API_KEY/);
  });

  it('refuses to start with a misspelt provider or a base URL that is not http(s)', async () => {
    await assert.rejects(createHub({ ...DEFAULTS, store: 'memory', logLevel: 'silent', llmProvider: 'antropic' }, { logger: silentLogger }), /--llm-provider must be anthropic, openai, openai-compatible; got "antropic"/);
    assert.throws(() => resolveLlmSettings({ ...base, llmProvider: 'openai-compatible', llmModel: 'm', llmBaseUrl: 'localhost:11434' }, {}), /--llm-base-url must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('llm.execute_command without a provider', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t.close());

  it('answers -32020 naming the flags and variables to set, and never guesses', async () => {
    const answer = await t.rpc('llm.execute_command', COMMAND);
    assert.equal(answer.result, undefined);
    assert.equal(answer.error?.code, -32020);
    for (const needle of ['--llm-provider', 'LLMIOT_LLM_PROVIDER', '--llm-model', '--llm-api-key', 'LLMIOT_LLM_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY', '--llm-base-url']) {
      assert.ok(answer.error?.message.includes(needle), `message names ${needle}: ${answer.error?.message}`);
    }
  });

  it('still serves approval.decide and audit.list', async () => {
    assert.equal((await t.rpc('approval.decide', { id: 'no-such-approval', decision: 'approve' })).error?.code, -32041);
    // The refused decision (and the unconfigured commands before it) are writes by the local admin over HTTP: audited, failed.
    const entries = (await t.rpc('audit.list', {})).result.entries as { tool: string; principal: string; role: string; via: string; outcome: string }[];
    assert.deepEqual(entries[0] && [entries[0].tool, entries[0].principal, entries[0].role, entries[0].via, entries[0].outcome], ['approval_decide', 'local', 'admin', 'http', 'failed']);
    assert.ok(entries.every((e) => e.via === 'http' && e.outcome === 'failed' && /^(llm_|approval_)/.test(e.tool)), JSON.stringify(entries));
  });
});

describe('LLM provider failures', () => {
  it('answers -32023 when the server is unreachable', async () => {
    const port = await closedPort();
    const t = await startTestHub({ llmProvider: 'openai-compatible', llmBaseUrl: `http://127.0.0.1:${port}/v1`, llmModel: 'qwen2.5', llmMaxRetries: 0 });
    try {
      const answer = await t.rpc('llm.execute_command', COMMAND);
      assert.equal(answer.error?.code, -32023);
      assert.match(answer.error?.message ?? '', /^LLM provider failed: openai-compatible \(qwen2\.5\): cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
      assert.equal(answer.error?.data.provider, 'openai-compatible');
      assert.deepEqual(answer.error?.data.tool_calls, []);
    } finally {
      await t.close();
    }
  });

  it('sends the key as a bearer token and answers -32023 with the status when it is refused; keeps the tool calls already made', async () => {
    const model = await ScriptedModel.start();
    const t = await startTestHub({ llmProvider: 'openai-compatible', llmBaseUrl: model.baseUrl, llmModel: 'qwen2.5', llmApiKey: 'sk-local', llmMaxRetries: 0 });
    try {
      model.play(() => ({ http: 401, body: { error: { message: 'Incorrect API key provided' } } }));
      const refused = await t.rpc('llm.execute_command', COMMAND);
      assert.equal(model.requests[0]?.headers.authorization, 'Bearer sk-local');
      assert.equal(refused.error?.code, -32023);
      assert.equal(refused.error?.data.status, 401);
      assert.match(refused.error?.data.reason, /HTTP 401 .*check --llm-api-key.*Incorrect API key provided/);

      model.play((c) => (c.turns === 0 ? { tool_calls: [{ name: 'find_devices', arguments: {} }] } : { http: 500, body: { error: { message: 'model crashed' } } }));
      const late = await t.rpc('llm.execute_command', COMMAND);
      assert.equal(late.error?.code, -32023);
      assert.match(late.error?.data.reason, /HTTP 500/);
      assert.deepEqual(late.error?.data.tool_calls.map((c: { tool: string; status: string }) => `${c.tool} ${c.status}`), ['find_devices ok']);
    } finally {
      await t.close();
      await model.close();
    }
  });

  it('answers -32023 when a step takes longer than --llm-timeout-ms', async () => {
    const model = await ScriptedModel.start();
    const t = await startTestHub({ llmProvider: 'openai-compatible', llmBaseUrl: model.baseUrl, llmModel: 'slow', llmMaxRetries: 0, llmTimeoutMs: 300 });
    try {
      model.play(() => ({ hang: true }));
      const started = Date.now();
      const answer = await t.rpc('llm.execute_command', COMMAND);
      assert.equal(answer.error?.code, -32023);
      assert.match(answer.error?.data.reason, /no answer within 300 ms for one step \(--llm-timeout-ms\)/);
      assert.ok(Date.now() - started < 5000);
    } finally {
      await t.close();
      await model.close();
    }
  });

  it('drives Anthropic (Messages API, x-api-key) and OpenAI (Responses API, bearer) with the hub tools', async () => {
    const vendor = await refusingServer();
    try {
      const anthropic = await startTestHub({ llmProvider: 'anthropic', llmBaseUrl: vendor.url, llmApiKey: 'ak-test', llmMaxRetries: 0 });
      try {
        const answer = await anthropic.rpc('llm.execute_command', COMMAND);
        assert.equal(answer.error?.code, -32023);
        assert.match(answer.error?.message ?? '', /^LLM provider failed: anthropic \(claude-sonnet-4-5\): HTTP 401/);
      } finally {
        await anthropic.close();
      }
      const [toAnthropic] = vendor.seen;
      assert.equal(toAnthropic?.path, '/v1/messages');
      assert.equal(toAnthropic?.headers['x-api-key'], 'ak-test');
      assert.equal(toAnthropic?.body.model, 'claude-sonnet-4-5');
      assert.ok(toAnthropic?.body.tools.some((tool: { name: string; input_schema: { type: string } }) => tool.name === 'read_device' && tool.input_schema.type === 'object'));
      // The verb tools as the vendor receives them: names and closed schemas within Anthropic's rules.
      for (const tool of toAnthropic?.body.tools ?? []) {
        assert.match(tool.name, /^[a-zA-Z0-9_-]{1,64}$/);
        assert.equal(tool.input_schema.additionalProperties, false, tool.name);
      }
      assert.match(JSON.stringify(toAnthropic?.body.system), /llm-iot hub/);

      const openai = await startTestHub({ llmProvider: 'openai', llmBaseUrl: vendor.url, llmApiKey: 'sk-test', llmMaxRetries: 0 });
      try {
        assert.equal((await openai.rpc('llm.execute_command', COMMAND)).error?.code, -32023);
      } finally {
        await openai.close();
      }
      const toOpenai = vendor.seen[1];
      assert.equal(toOpenai?.path, '/v1/responses');
      assert.equal(toOpenai?.headers.authorization, 'Bearer sk-test');
      assert.equal(toOpenai?.body.model, 'gpt-4.1');
      assert.ok(toOpenai?.body.tools.some((tool: { name: string }) => tool.name === 'read_device'));
    } finally {
      await vendor.close();
    }
  });
});
