/** The `llm-iot` command line: start, simulate, rpc. */
import { ConfigError } from '../config/load-config.ts';
import { BROKER_CONFIG_HELP, brokerConfigCommand } from './broker-config-command.ts';
import { DEVICE_HELP, deviceCommand } from './device-command.ts';
import { MCP_HELP, mcpCommand } from './mcp-command.ts';
import { rpcCommand } from './rpc-command.ts';
import { SIMULATE_HELP, simulateCommand } from './simulate-command.ts';
import { startCommand } from './start-command.ts';
import { TOKEN_HELP, tokenCommand } from './token-command.ts';
import { USER_HELP, userCommand } from './user-command.ts';
import { rpcHelp, startHelp, usage } from './usage.ts';

interface Command {
  run(argv: string[]): Promise<number>;
  help(): string;
}

const COMMANDS: Record<string, Command> = {
  start: { run: startCommand, help: startHelp },
  simulate: { run: simulateCommand, help: () => SIMULATE_HELP },
  rpc: { run: rpcCommand, help: rpcHelp },
  mcp: { run: mcpCommand, help: () => MCP_HELP },
  token: { run: tokenCommand, help: () => TOKEN_HELP },
  user: { run: userCommand, help: () => USER_HELP },
  device: { run: deviceCommand, help: () => DEVICE_HELP },
  'broker-config': { run: brokerConfigCommand, help: () => BROKER_CONFIG_HELP },
};

const wantsHelp = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

/** Run the CLI; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const helpOf = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
  if (helpOf !== undefined) {
    process.stdout.write(helpOf.help());
    return 0;
  }
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
  if (wantsHelp(rest)) {
    process.stdout.write(command.help());
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`llm-iot ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
