/** `llm-iot rpc <method> [json]`: call a running hub over HTTP and print the result. */
import { parseArgs } from 'node:util';
import { rpcHelp } from './usage.ts';

export async function rpcCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { url: { type: 'string' }, token: { type: 'string' } }, allowPositionals: true, strict: true });
  const [method, json] = positionals;
  if (method === undefined) {
    process.stderr.write(rpcHelp());
    return 2;
  }
  let params: unknown = {};
  if (json !== undefined) {
    try {
      params = JSON.parse(json);
    } catch (error) {
      process.stderr.write(`llm-iot rpc: params are not JSON: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }
  const base = values.url ?? process.env['LLMIOT_URL'] ?? 'http://127.0.0.1:8080';
  const token = values.token ?? process.env['LLMIOT_TOKEN'];
  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/$/, '')}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token !== undefined && token !== '' && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    process.stderr.write(`llm-iot rpc: cannot reach the hub at ${base}: ${cause}\n`);
    return 1;
  }
  const text = await response.text();
  let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    process.stderr.write(`llm-iot rpc: ${base} answered HTTP ${response.status} without JSON-RPC (is it the hub's HTTP port?): ${text.slice(0, 200)}\n`);
    return 1;
  }
  if (body.error) {
    process.stderr.write(`error ${body.error.code}: ${body.error.message}\n`);
    if (body.error.data !== undefined) process.stderr.write(`${JSON.stringify(body.error.data, null, 2)}\n`);
    const hint = authHint(response.status, token !== undefined && token !== '');
    if (hint !== undefined) process.stderr.write(`${hint}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(body.result, null, 2)}\n`);
  return 0;
}

/** What to do about a refused credential: the hub's message says what is wrong, this says where the token goes. */
function authHint(status: number, sentToken: boolean): string | undefined {
  if (status === 401) {
    return sentToken
      ? 'hint: the token (--token or LLMIOT_TOKEN) is unknown, expired or revoked; `llm-iot token create --role viewer|operator|admin` makes a new one'
      : 'hint: this hub needs a token: pass --token <token> or set LLMIOT_TOKEN (`llm-iot token create --role viewer|operator|admin` makes one)';
  }
  if (status === 403) return 'hint: the token\'s role is too low for this method (data.required_role names the one it needs)';
  return undefined;
}
