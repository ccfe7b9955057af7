/** The `llm-iot` command line: start, simulate, rpc. */
import { ConfigError } from '../config/load-config.ts';
import { mcpCommand } from './mcp-command.ts';
import { rpcCommand } from './rpc-command.ts';
import { simulateCommand } from './simulate-command.ts';
import { startCommand } from './start-command.ts';
import { usage } from './usage.ts';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  start: startCommand,
  simulate: simulateCommand,
  rpc: rpcCommand,
  mcp: mcpCommand,
};

/** Run the CLI; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write('llm-iot 0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`llm-iot: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`llm-iot ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
