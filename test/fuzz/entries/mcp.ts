/** MCP entry: mutated JSON-RPC on POST /mcp (Streamable HTTP) inside one session, with sometimes a missing or wrong session; every POST must be answered in time. */
import { Agent, request as httpRequest } from 'node:http';
import type { FuzzEntry, Recorder } from '../entry.ts';
import { collectFragments, mutateJsonRpc, toJson, type Json, type MutationContext } from '../json-mutator.ts';

const PROTOCOL = '2025-11-25';
const INITIALIZE = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } };

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function post(agent: Agent, url: URL, body: Buffer, headers: Record<string, string>, deadlineMs: number): Promise<Answer | 'timeout'> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', () => undefined);
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('timeout');
    }, deadlineMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** The JSON-RPC messages of an answer: a JSON body, or the `data:` lines of an SSE stream. */
function messages(answer: Answer): unknown[] {
  const type = String(answer.headers['content-type'] ?? '');
  const texts = type.includes('text/event-stream')
    ? answer.body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter((l) => l !== '')
    : answer.body.trim() === ''
      ? []
      : [answer.body];
  return texts.flatMap((t) => {
    try {
      const parsed = JSON.parse(t) as unknown;
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      return [{ unparsable: t.slice(0, 200) }];
    }
  });
}

function countMcp(recorder: Recorder, index: number, answer: Answer, input: Buffer): void {
  recorder.count(`http:${answer.status}`);
  if (answer.status >= 500) recorder.fail('internal-error', index, `POST /mcp answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`, input);
  for (const m of messages(answer) as { error?: { code?: unknown }; result?: { isError?: boolean; content?: { text?: string }[] }; unparsable?: string }[]) {
    if (m.unparsable !== undefined) recorder.fail('internal-error', index, `POST /mcp: an answer is not JSON: ${m.unparsable}`, input);
    else if (m.error !== undefined) {
      recorder.count(String(m.error.code));
      if (m.error.code === -32603) recorder.fail('internal-error', index, `POST /mcp: -32603 ${JSON.stringify(m).slice(0, 300)}`, input);
    } else if (m.result?.isError === true) {
      const text = m.result.content?.map((c) => c.text ?? '').join(' ') ?? '';
      const code = /JSON-RPC error (-?\d+)/.exec(text)?.[1];
      recorder.count(`tool-error${code ? `:${code}` : ''}`);
      if (code === '-32603') recorder.fail('internal-error', index, `tool result: ${text.slice(0, 300)}`, input);
    } else recorder.count('result');
  }
}

export const mcpEntry: FuzzEntry = {
  name: 'mcp',
  concurrency: 8,
  async open(fh, recorder, { deadlineMs }) {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const url = new URL('/mcp', fh.httpUrl);
    const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    let session = '';
    const initialize = async (): Promise<void> => {
      const init = await post(agent, url, Buffer.from(JSON.stringify(INITIALIZE)), base, deadlineMs);
      if (init === 'timeout' || typeof init.headers['mcp-session-id'] !== 'string') throw new Error(`MCP initialize failed: ${init === 'timeout' ? init : `${init.status} ${init.body}`}`);
      session = init.headers['mcp-session-id'];
      await post(agent, url, Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })), { ...base, 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL }, deadlineMs);
    };
    await initialize();
    const listed = await post(agent, url, Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })), { ...base, 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL }, deadlineMs);
    const tools = listed === 'timeout' ? [] : ((messages(listed)[0] as { result?: { tools?: { name: string }[] } }).result?.tools ?? []).map((t) => t.name);
    const call = (name: string, args: unknown): Json => toJson({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    const seeds: Json[] = [
      ...tools.map((name) => call(name, {})),
      call('find_devices', { type: 'mcu', limit: 5 }),
      call('query_telemetry', { device: 'fz-h0', last: '1h' }),
      call('read_device', { device: 'fz-h1' }),
      call('run_command', { device: 'fz-h0', command: 'reboot', confirm_token: 'abc' }),
      call('configure_device', { where: { type: 'sensor' }, settings: { power_mode: 'low_power' } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'x' } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'resources/list' }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'resources/templates/list' }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'llmiot://devices' } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'llmiot://devices/fz-h0' } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'prompts/list' }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'fleet_overview', arguments: { zone: 'Zone A' } } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: 'fleet_overview' }, argument: { name: 'zone', value: 'Z' } } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'debug' } }),
      toJson({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      toJson({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }),
      toJson(INITIALIZE),
    ];
    const { fragments, keys } = collectFragments(seeds);
    const context: MutationContext = { fragments, keys, methods: ['tools/call', 'tools/list', 'resources/read', 'prompts/get', 'ping', 'initialize', 'completion/complete'] };
    return {
      async send(rng, index) {
        const { bytes } = mutateJsonRpc(rng, index, seeds, context);
        const r = rng.float();
        const headers: Record<string, string> = { ...base, 'mcp-protocol-version': PROTOCOL };
        if (r < 0.9) headers['mcp-session-id'] = session;
        else if (r < 0.93) headers['mcp-session-id'] = rng.pick(['nope', '', session.toUpperCase(), `${session}x`]);
        else if (r < 0.95) headers['mcp-protocol-version'] = rng.pick(['1999-01-01', 'x', '']);
        else if (r < 0.97) headers['accept'] = rng.pick(['application/json', 'text/event-stream', '*/*']);
        else if (r < 0.98) headers['content-type'] = 'text/plain';
        let answer: Answer | 'timeout';
        try {
          answer = await post(agent, url, bytes, headers, deadlineMs);
        } catch (error) {
          recorder.count(`http-error:${(error as NodeJS.ErrnoException).code ?? 'error'}`);
          return;
        }
        if (answer === 'timeout') return recorder.fail('hang', index, `POST /mcp not answered within ${deadlineMs} ms`, bytes);
        countMcp(recorder, index, answer, bytes);
        // A fuzzed DELETE cannot happen (POST only), but the session may still end (idle, cap): start a new one.
        if (answer.status === 404 && headers['mcp-session-id'] === session) await initialize();
      },
      async close() {
        await post(agent, url, Buffer.alloc(0), { 'mcp-session-id': session }, deadlineMs).catch(() => undefined);
        agent.destroy();
      },
    };
  },
};
