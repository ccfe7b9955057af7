/** Resolve the configuration: defaults < config file < LLMIOT_* environment < CLI flags. */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS, type HubConfig, type OptionSpec } from './options.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Default config file looked for in the working directory when no --config / LLMIOT_CONFIG is given. */
export const DEFAULT_CONFIG_FILE = 'llm-iot.config.json';

function coerce(spec: OptionSpec, raw: unknown, source: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (spec.type === 'integer') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${source} must be a non-negative integer, got "${String(raw)}"`);
    return n;
  }
  if (spec.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (/^(1|true|yes|on)$/i.test(String(raw))) return true;
    if (/^(0|false|no|off)$/i.test(String(raw))) return false;
    throw new ConfigError(`${source} must be true or false, got "${String(raw)}"`);
  }
  const text = String(raw);
  if (spec.choices !== undefined && !spec.choices.includes(text)) throw new ConfigError(`${source} must be one of ${spec.choices.join(', ')}, got "${text}"`);
  return text;
}

function readFile(path: string, table: readonly OptionSpec[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${path}: must hold a JSON object`);
  const known = new Set(table.map((o) => o.key as string));
  const unknown = Object.keys(parsed).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ConfigError(`config file ${path}: unknown keys ${unknown.join(', ')}`);
  return parsed as Record<string, unknown>;
}

/** Parse flags (argv after the command name) and the environment into a HubConfig, by the options table (`OPTIONS` in src/plugins.ts). */
export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  table: readonly OptionSpec[],
): { config: HubConfig; rest: string[]; file?: string } {
  const parsed = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      ...Object.fromEntries(table.map((o) => [o.flag, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }])),
    },
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const explicit = (values['config'] as string | undefined) ?? env['LLMIOT_CONFIG'];
  const file = explicit ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (explicit !== undefined && !existsSync(explicit)) throw new ConfigError(`config file not found: ${explicit}`);
  const fromFile = file === undefined ? {} : readFile(file, table);
  const config = { ...DEFAULTS } as Record<string, unknown>;
  for (const spec of table) {
    const layers: [unknown, string][] = [
      [fromFile[spec.key], `config file ${file ?? ''}: ${spec.key}`],
      [env[spec.env], spec.env],
      [values[spec.flag], `--${spec.flag}`],
    ];
    for (const [raw, source] of layers) {
      const value = coerce(spec, raw, source);
      if (value !== undefined) config[spec.key] = value;
    }
  }
  return { config: config as unknown as HubConfig, rest: parsed.positionals, ...(file !== undefined && { file }) };
}

/** The options table as --help text. */
export function optionsHelp(table: readonly OptionSpec[]): string {
  return table.map((o) => {
    const def = DEFAULTS[o.key];
    const flag = `--${o.flag}${o.type === 'boolean' ? '' : ' <value>'}`;
    return `  ${flag.padEnd(32)} ${o.description}\n  ${''.padEnd(32)} env ${o.env}${def === undefined ? '' : `, default ${String(def)}`}`;
  }).join('\n');
}
