/** The MCP server's identity: name `llm-iot`, version read from package.json (once, on first use). */
import { readFileSync } from 'node:fs';

/** The `serverInfo.name` every session reports. */
export const SERVER_NAME = 'llm-iot';

let version: string | undefined;

/** package.json sits two levels up from both src/mcp/ and dist/mcp/. */
export function serverVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/** `serverInfo` of initialize. */
export function serverInfo(): { name: string; version: string } {
  return { name: SERVER_NAME, version: serverVersion() };
}
