/** A raw MCP session over Streamable HTTP (no SDK client): initialize once, then POST any body and read its one answer. */

/** The MCP protocol version the raw session speaks. */
export const MCP_PROTOCOL = '2025-11-25';

export interface RawMcpAnswer {
  error?: { code: number; message: string; data?: unknown };
  result?: any;
}

export interface RawMcpSession {
  /** POST a JSON-RPC body (a value, or text sent as is) in the session; the answer, from JSON or from the SSE stream. */
  post(body: unknown): Promise<RawMcpAnswer>;
}

/** Initialize a session on `${httpUrl}/mcp` and return it. */
export async function openRawMcpSession(httpUrl: string): Promise<RawMcpSession> {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(`${httpUrl}/mcp`, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: MCP_PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await init.text();
  const headers = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': MCP_PROTOCOL };
  return {
    async post(body) {
      const res = await fetch(`${httpUrl}/mcp`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      const data = res.headers.get('content-type')?.includes('text/event-stream') ? text.split('\n').find((l) => l.startsWith('data:') && l.slice(5).trim() !== '')?.slice(5) : text;
      return JSON.parse(data ?? 'null') as RawMcpAnswer;
    },
  };
}
