/** `llm-iot mcp --hub <url>`: a stdio MCP server relaying to a running hub's /mcp (for Claude Desktop, Claude Code). */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load-config.ts';
import { createLogger } from '../log/logger.ts';
import { mcpEndpointUrl, runStdioProxy } from '../mcp/stdio-proxy.ts';

/** `llm-iot mcp --help`. */
export const MCP_HELP = `Usage: llm-iot mcp [--hub <url>]

Speaks MCP on stdin/stdout and relays every message to a running hub's Streamable HTTP endpoint.
stdout carries only the protocol; logs go to stderr (level: LLMIOT_LOG_LEVEL, default info).

  --hub <url>   the hub's base URL or MCP endpoint (default http://127.0.0.1:8080, env LLMIOT_URL);
                /mcp is added when the URL has no path
  env LLMIOT_TOKEN  an API token (llm-iot token create) for a hub with auth on
  -h, --help    this text
`;

/** Run the stdio relay until stdin closes; exit code 0. */
export async function mcpCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { hub: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(MCP_HELP);
    return 0;
  }
  const hubUrl = values.hub ?? process.env['LLMIOT_URL'] ?? 'http://127.0.0.1:8080';
  try {
    mcpEndpointUrl(hubUrl);
  } catch {
    throw new ConfigError(`--hub must be a URL such as http://127.0.0.1:8080, got "${hubUrl}"`);
  }
  // stdout is the protocol: every log line goes to stderr.
  const logger = createLogger({ name: 'llm-iot-mcp', destination: process.stderr });
  const token = process.env['LLMIOT_TOKEN'];
  await runStdioProxy({ hubUrl, logger, ...(token !== undefined && token !== '' && { token }) });
  return 0;
}
