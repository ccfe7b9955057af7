/** The hub's logger: a pino-compatible interface, a pino-backed factory (JSON lines or pino-pretty) and a silent logger for tests. */
import { pino, type DestinationStream, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

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
  /** Environment to read `LLMIOT_LOG_LEVEL` and `LLMIOT_LOG_FORMAT` from; `process.env` when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `json` (one JSON object a line) or `pretty` (readable, for a terminal); see {@link resolveLogFormat} when absent. */
  readonly format?: LogFormat;
}

/** How log lines are written: JSON lines for machines, or pino-pretty's readable lines for a person at a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Something that may be a terminal (a stream, or `{ isTTY }` in tests). */
interface MaybeTty {
  readonly isTTY?: boolean;
}

/**
 * The format to use: the one asked for, else `LLMIOT_LOG_FORMAT`, else `pretty` when the destination is a
 * terminal and `json` otherwise (pipes, files, log collectors keep machine-readable lines).
 */
export function resolveLogFormat(asked: string | undefined, destination: MaybeTty, env: Readonly<Record<string, string | undefined>> = process.env): LogFormat {
  const fromEnv = env['LLMIOT_LOG_FORMAT'];
  const value = asked ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (value === undefined) return destination.isTTY === true ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(value)) {
    const source = asked !== undefined ? 'log format' : 'LLMIOT_LOG_FORMAT';
    throw new Error(`${source}: unknown format "${value}" (use ${LOG_FORMATS.join(' or ')})`);
  }
  return value as LogFormat;
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
  const output: NodeJS.WritableStream & MaybeTty = (options.destination as (NodeJS.WritableStream & MaybeTty) | undefined) ?? process.stdout;
  if (resolveLogFormat(options.format, output, options.env) === 'pretty') {
    // In-process stream (no worker thread), synchronous so the last lines before exit are not lost.
    const stream = pretty({ destination: options.destination ?? 1, sync: true, colorize: output.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
    return pino(pinoOptions, stream);
  }
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}

const noop: LogFn = () => undefined;

/** A logger that drops everything (tests, library use without logging). */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
