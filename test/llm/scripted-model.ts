/**
 * A scripted OpenAI-compatible Chat Completions server on loopback that plays the model: each
 * `POST /v1/chat/completions` is answered by a script that reads the conversation so far (the user's
 * command, the tools offered, the tool results the hub sent back) and returns tool calls or text.
 * Every request is recorded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: string | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters: Record<string, any> } }[];
  stream?: boolean;
}

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: ChatRequest;
}

/** A tool result the hub sent back, matched to the call the model made. */
export interface ToolExchange {
  readonly name: string;
  readonly arguments: Record<string, any>;
  readonly output: any;
}

/** The conversation as the model sees it on one request. */
export class Conversation {
  readonly request: ChatRequest;

  constructor(request: ChatRequest) {
    this.request = request;
  }

  get system(): string {
    return this.request.messages.find((m) => m.role === 'system')?.content ?? '';
  }

  get user(): string {
    return this.request.messages.find((m) => m.role === 'user')?.content ?? '';
  }

  /** Model turns so far. */
  get turns(): number {
    return this.request.messages.filter((m) => m.role === 'assistant').length;
  }

  toolNames(): string[] {
    return (this.request.tools ?? []).map((t) => t.function.name);
  }

  tool(name: string): NonNullable<ChatRequest['tools']>[number]['function'] | undefined {
    return this.request.tools?.find((t) => t.function.name === name)?.function;
  }

  /** Every tool result so far, in order, with the call it answers. */
  toolResults(): ToolExchange[] {
    const calls = new Map<string, ChatToolCall>();
    for (const m of this.request.messages) for (const c of m.tool_calls ?? []) calls.set(c.id, c);
    return this.request.messages
      .filter((m) => m.role === 'tool')
      .map((m) => {
        const call = calls.get(m.tool_call_id ?? '');
        return { name: call?.function.name ?? '?', arguments: JSON.parse(call?.function.arguments ?? '{}'), output: parse(m.content ?? '') };
      });
  }

  /** Results of the tool calls made in the last model turn. */
  lastResults(): ToolExchange[] {
    const all = this.toolResults();
    const lastAssistant = this.request.messages.map((m) => m.role).lastIndexOf('assistant');
    const count = this.request.messages.slice(lastAssistant + 1).filter((m) => m.role === 'tool').length;
    return all.slice(all.length - count);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What the model answers: tool calls (optionally with text), a final text, or an HTTP failure. */
export type Reply =
  | { readonly tool_calls: readonly { name: string; arguments: unknown }[]; readonly content?: string }
  | { readonly content: string }
  | { readonly http: number; readonly body: unknown }
  /** Never answer (a hung server). */
  | { readonly hang: true };

export type Script = (conversation: Conversation) => Reply;

export class ScriptedModel {
  readonly requests: RecordedRequest[] = [];
  script: Script = () => ({ content: 'no script set' });
  readonly #server: Server;
  #calls = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<ScriptedModel> {
    const server = createServer();
    const model = new ScriptedModel(server);
    server.on('request', (req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const body = JSON.parse(text) as ChatRequest;
        model.requests.push({ path: req.url ?? '', headers: req.headers, body });
        let reply: Reply;
        try {
          if (req.url !== '/v1/chat/completions' || req.method !== 'POST') reply = { http: 404, body: { error: { message: `no route ${req.method} ${req.url}` } } };
          else if (body.stream === true) reply = { http: 400, body: { error: { message: 'this scripted model does not stream' } } };
          else reply = model.script(new Conversation(body));
        } catch (error) {
          reply = { http: 500, body: { error: { message: `script failed: ${(error as Error).message}` } } };
        }
        if ('hang' in reply) return;
        const [status, payload] = model.#render(body, reply);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return model;
  }

  /** Base URL for --llm-base-url. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  /** Start a new scenario: set the script, forget earlier requests. */
  play(script: Script): void {
    this.script = script;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #render(request: ChatRequest, reply: Exclude<Reply, { hang: true }>): [number, unknown] {
    if ('http' in reply) return [reply.http, reply.body];
    const n = ++this.#calls;
    const toolCalls = 'tool_calls' in reply ? reply.tool_calls : [];
    const message = {
      role: 'assistant',
      content: reply.content ?? null,
      ...(toolCalls.length > 0 && {
        tool_calls: toolCalls.map((c, i) => ({ id: `call_${n}_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      }),
    };
    return [
      200,
      {
        id: `chatcmpl-${n}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [{ index: 0, message, finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
      },
    ];
  }
}
