/** `mcu.execute_script` for simulated boards: a MicroPython/CircuitPython REPL that knows a handful of one-liners. */
import { DEVICE_RPC_CODES, DeviceRpcError } from './device-rpc-error.ts';

/** What the one-liners can look at. */
export interface ScriptHost {
  readonly boardLabel: string;
  readonly languages: readonly string[];
  readonly uname: string;
  readonly hardwareId: string;
  freeHeap(): number;
  cpuFrequencyHz(): number;
  uptimeMs(): number;
  /** 7-bit addresses answering on the I2C bus. */
  i2cAddresses(): number[];
}

/** Result shape of `mcu.execute_script`. */
export interface ScriptResult {
  readonly output: string;
  readonly exit_code: number;
}

type OneLiner = { readonly pattern: RegExp; readonly run: (host: ScriptHost, match: RegExpExecArray) => string };

/** The REPL's repertoire; `help()` lists it. */
const ONE_LINERS: readonly OneLiner[] = [
  { pattern: /^gc\.mem_free\(\)$/, run: (host) => String(host.freeHeap()) },
  { pattern: /^gc\.collect\(\)$/, run: () => '' },
  { pattern: /^(?:machine\.freq\(\)|microcontroller\.cpu\.frequency)$/, run: (host) => String(host.cpuFrequencyHz()) },
  { pattern: /^(?:time|supervisor)\.ticks_ms\(\)$/, run: (host) => String(Math.floor(host.uptimeMs()) % 2 ** 30) },
  { pattern: /^time\.monotonic\(\)$/, run: (host) => (host.uptimeMs() / 1000).toFixed(3) },
  { pattern: /^os\.uname\(\)$/, run: (host) => host.uname },
  { pattern: /^(?:i2c|machine\.I2C\(\d\)|busio\.I2C\(board\.SCL, ?board\.SDA\))\.scan\(\)$/, run: (host) => `[${host.i2cAddresses().join(', ')}]` },
  { pattern: /^machine\.unique_id\(\)$/, run: (host) => uniqueId(host.hardwareId) },
  { pattern: /^print\((['"])(.*)\1\)$/, run: (_host, match) => match[2] ?? '' },
  { pattern: /^print\((-?\d+(?:\.\d+)?)\)$/, run: (_host, match) => String(Number(match[1])) },
  {
    pattern: /^help\(\)$/,
    run: () =>
      'Simulated REPL. Known one-liners: gc.mem_free(), gc.collect(), machine.freq(), time.ticks_ms(), time.monotonic(), os.uname(), i2c.scan(), machine.unique_id(), print("text"), print(42)',
  },
];

/**
 * Run one line (an optional `import …;` prefix is allowed). Unknown code fails like the REPL would:
 * DeviceRpcError -32000 whose data is `{output: traceback, exit_code: 1}`.
 */
export function runScript(host: ScriptHost, script: string, language: string | undefined): ScriptResult {
  const lang = (language ?? host.languages[0] ?? 'micropython').toLowerCase();
  if (!host.languages.includes(lang) && lang !== 'python') {
    throw new DeviceRpcError(DEVICE_RPC_CODES.UNSUPPORTED_OPERATION, `Script language not supported: ${lang} on ${host.boardLabel}`, { supported: host.languages });
  }
  const line = script
    .trim()
    .replace(/^(?:import [\w, ]+;\s*)+/, '')
    .trim();
  for (const oneLiner of ONE_LINERS) {
    const match = oneLiner.pattern.exec(line);
    if (match) {
      const text = oneLiner.run(host, match);
      return { output: text === '' ? '' : `${text}\n`, exit_code: 0 };
    }
  }
  const error = diagnose(line);
  const output = `Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n${error}\n`;
  throw new DeviceRpcError(DEVICE_RPC_CODES.SCRIPT_FAILED, `Script failed: ${error}`, { output, exit_code: 1 });
}

const KNOWN_MODULES: ReadonlySet<string> = new Set(['gc', 'machine', 'time', 'os', 'i2c', 'microcontroller', 'supervisor', 'busio', 'board']);

/** The exception line the REPL would print for a line it cannot run. */
function diagnose(line: string): string {
  const call = /^([A-Za-z_]\w*)(?:\.(\w+))?[\w.]*\(.*\)$/.exec(line);
  if (call === null) return 'SyntaxError: invalid syntax';
  const [, name = '', attribute] = call;
  if (!KNOWN_MODULES.has(name)) return `NameError: name '${name}' isn't defined`;
  return attribute === undefined ? `TypeError: 'module' object isn't callable` : `AttributeError: 'module' object has no attribute '${attribute}'`;
}

function uniqueId(hardwareId: string): string {
  let h = 0x811c9dc5;
  const bytes: string[] = [];
  for (let i = 0; i < 8; i++) {
    for (const ch of `${hardwareId}#${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    bytes.push(`\\x${((h >>> 0) & 0xff).toString(16).padStart(2, '0')}`);
  }
  return `b'${bytes.join('')}'`;
}
