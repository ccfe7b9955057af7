/** `llm-iot --help` text, generated from the options table. */
import { optionsHelp } from '../config/load-config.ts';

export function usage(): string {
  return `Usage: llm-iot <command> [options]

Commands:
  start                       run the hub (embedded MQTT broker and SQLite store unless told otherwise)
  simulate                    run a simulated fleet of MCUs and sensors against a hub (see simulate --help)
  rpc <method> [json-params]  call a JSON-RPC method on a running hub and print the result
  mcp [--hub <url>]           stdio MCP server relaying to a running hub's /mcp (for Claude Desktop / Claude Code; see mcp --help)

Options of start (precedence: defaults < config file < LLMIOT_* environment < flags):
  --config <file>                  JSON config file (default ./llm-iot.config.json if present; env LLMIOT_CONFIG)
${optionsHelp()}

Options of rpc:
  --url <url>                      hub base URL (default http://127.0.0.1:8080, env LLMIOT_URL)

Run \`llm-iot simulate --help\` for the simulator's options.
`;
}
