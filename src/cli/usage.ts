/** `llm-iot --help` and `llm-iot <command> --help` texts; the hub's options come from the one options table. */
import { optionsHelp } from '../config/load-config.ts';
import { OPTIONS } from '../plugins.ts';

const PRECEDENCE = 'precedence: defaults < config file < LLMIOT_* environment < flags';

export function usage(): string {
  return `Usage: llm-iot <command> [options]

Commands:
  start                       run the hub (embedded MQTT broker and SQLite store unless told otherwise)
  simulate                    run a simulated fleet of MCUs and sensors against a hub
  rpc <method> [json-params]  call a JSON-RPC method on a running hub and print the result
  mcp [--hub <url>]           stdio MCP server relaying to a running hub's /mcp (for Claude Desktop / Claude Code)
  token create|list|revoke    API tokens (Authorization: Bearer); once one exists, API callers need one
  user add|list|remove|passwd users who log in from a browser (POST /auth/login); once one exists, API callers need a credential
  device credentials <action> create | rotate | revoke | list device credentials in the hub's store
  broker-config               write Mosquitto password_file and acl_file enforcing the device ACL

Run \`llm-iot <command> --help\` (or \`llm-iot help <command>\`) for a command's options.
  -h, --help                       this text
  -v, --version                    the version

Options of start (${PRECEDENCE}):
  --config <file>                  JSON config file (default ./llm-iot.config.json if present; env LLMIOT_CONFIG)
${optionsHelp(OPTIONS)}
`;
}

/** `llm-iot start --help`. */
export function startHelp(): string {
  return `Usage: llm-iot start [options]

Runs the hub: HTTP (JSON-RPC POST /rpc, WebSocket /ws, /mcp, /metrics, /healthz, GET /export), the embedded
MQTT broker unless --mqtt-url names an external one, and the SQLite store unless --store says otherwise.
Stops cleanly (telemetry flushed) on Ctrl-C / SIGTERM.

Options (${PRECEDENCE}):
  --config <file>                  JSON config file (default ./llm-iot.config.json if present; env LLMIOT_CONFIG)
${optionsHelp(OPTIONS)}
  -h, --help                       this text
`;
}

/** `llm-iot rpc --help`. */
export function rpcHelp(): string {
  return `Usage: llm-iot rpc <method> [json-params] [--url <url>] [--token <token>]

Calls one JSON-RPC 2.0 method on a running hub (POST {url}/rpc) and prints its result as JSON.
Exit code 0 on a result; 1 on a JSON-RPC error (code, message and data on stderr) or an unreachable hub;
2 on bad arguments. \`llm-iot rpc rpc.discover\` lists every method (OpenRPC).

Options:
  --url <url>                      hub base URL (default http://127.0.0.1:8080; env LLMIOT_URL)
  --token <token>                  API token sent as Authorization: Bearer (env LLMIOT_TOKEN); needed once auth is on
  -h, --help                       this text

Examples:
  llm-iot rpc device.list '{"type":"mcu","include_schema":false}'
  llm-iot rpc sensor.read '{"sensor_id":"<id>"}' --url http://127.0.0.1:8080
`;
}
