/** The hub's logger: a pino-compatible interface, a pino-backed factory and a silent logger for tests. */
import { pino, type DestinationStream, type LevelWithSilent } from 'pino';

/** One log call: structured fields first (pino style), or just a message. */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** The subset of pino's logger the hub uses; a `pino.Logger` satisfies it as is. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Log level; when absent `LLMIOT_LOG_LEVEL` is read, then 'info'. */
  readonly level?: string;
  /** Name added to every line (pino `name`). */
  readonly name?: string;
  /** Where lines go; stdout when absent. `llm-iot mcp` (stdio) must pass stderr. */
  readonly destination?: DestinationStream;
  /** Environment to read `LLMIOT_LOG_LEVEL` from; `process.env` when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function isLevel(value: string): value is LevelWithSilent {
  return (LEVELS as readonly string[]).includes(value);
}

/**
 * Create the hub's pino logger. Throws when the level is unknown, naming where it came from.
 * The returned `pino.Logger` is a {@link Logger} and also offers `child()` and `flush()`.
 */
export function createLogger(options: CreateLoggerOptions = {}): pino.Logger {
  const fromEnv = (options.env ?? process.env)['LLMIOT_LOG_LEVEL'];
  const level = options.level ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'info');
  if (!isLevel(level)) {
    const source = options.level !== undefined ? 'log level' : 'LLMIOT_LOG_LEVEL';
    throw new Error(`${source}: unknown level "${level}" (use one of ${LEVELS.join(', ')})`);
  }
  const pinoOptions: pino.LoggerOptions = options.name === undefined ? { level } : { level, name: options.name };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}

const noop: LogFn = () => undefined;

/** A logger that drops everything (tests, library use without logging). */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
