/** Parser of the method × protocol table at the top of docs/generic-methods.md (between the conformance-matrix markers). */

/** The generic device methods, in the table's order. */
export const MATRIX_METHODS = [
  'sensor.read',
  'sensor.read_raw',
  'sensor.configure',
  'sensor.calibrate',
  'sensor.reset',
  'sensor.health',
  'mcu.get_status',
  'mcu.get_config',
  'mcu.set_config',
  'mcu.reboot',
] as const;
export type MatrixMethod = (typeof MATRIX_METHODS)[number];

/** The table's columns: the kinds of device the conformance suite simulates. */
export const MATRIX_KINDS = ['native', 'LwM2M', 'Sparkplug', 'dual'] as const;
export type MatrixKind = (typeof MATRIX_KINDS)[number];

/** The protocol carrying one part of a dual cell (a dual device's Sparkplug devices or its IPSO instances). */
export type DualPart = 'Sparkplug' | 'LwM2M';

/** One verdict: `yes` (the call succeeds) or a gap (-32011 naming the protocol). */
export interface Verdict {
  readonly verdict: 'yes' | 'gap';
  /** The bracketed note of a `yes`, or the reason of a gap. */
  readonly note: string;
  /** Set in the dual column's sensor rows: which of the dual device's attached devices the verdict is about. */
  readonly part?: DualPart;
}

export interface Matrix {
  /** cells[method][kind]: one verdict, or one per part in the dual column's sensor rows. */
  readonly cells: ReadonlyMap<string, ReadonlyMap<string, readonly Verdict[]>>;
  /** Everything wrong with the table: unknown or missing rows / columns, unparsable cells. */
  readonly problems: readonly string[];
}

const START = '<!-- conformance-matrix:start -->';
const END = '<!-- conformance-matrix:end -->';

function parseVerdict(text: string, where: string, problems: string[], part?: DualPart): Verdict | undefined {
  const yes = /^yes(?: \((.+)\))?$/.exec(text);
  if (yes) return { verdict: 'yes', note: yes[1] ?? '', ...(part && { part }) };
  const gap = /^gap: (.+)$/.exec(text);
  if (gap?.[1]) return { verdict: 'gap', note: gap[1], ...(part && { part }) };
  problems.push(`${where}: cannot read "${text}" (want "yes", "yes (note)" or "gap: reason")`);
  return undefined;
}

function parseCell(text: string, method: string, kind: string, problems: string[]): Verdict[] {
  const where = `${method} × ${kind}`;
  if (kind === 'dual' && method.startsWith('sensor.')) {
    const parts = text.split(';').map((p) => p.trim());
    const verdicts: Verdict[] = [];
    for (const wanted of ['Sparkplug', 'LwM2M'] as const) {
      const found = parts.filter((p) => p.startsWith(`${wanted}: `));
      if (found.length !== 1) problems.push(`${where}: needs exactly one "${wanted}: …" part, got "${text}"`);
      const verdict = found[0] === undefined ? undefined : parseVerdict(found[0].slice(wanted.length + 2), where, problems, wanted);
      if (verdict) verdicts.push(verdict);
    }
    const unknown = parts.filter((p) => !/^(Sparkplug|LwM2M): /.test(p));
    if (unknown.length > 0) problems.push(`${where}: unknown part(s) ${JSON.stringify(unknown)}`);
    return verdicts;
  }
  const verdict = parseVerdict(text, where, problems);
  return verdict ? [verdict] : [];
}

/** Parse the table; `problems` lists every way it strays from the 10 methods × 4 kinds. */
export function parseMatrix(markdown: string): Matrix {
  const problems: string[] = [];
  const cells = new Map<string, Map<string, Verdict[]>>();
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) return { cells, problems: [`no table between ${START} and ${END}`] };
  const rows = markdown
    .slice(start + START.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) => line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((cell) => cell.trim()));
  const [header, separator, ...body] = rows;
  if (!header || !separator) return { cells, problems: ['the table has no header'] };
  const columns = header.slice(1);
  for (const column of columns) if (!(MATRIX_KINDS as readonly string[]).includes(column)) problems.push(`unknown column "${column}"`);
  for (const kind of MATRIX_KINDS) if (!columns.includes(kind)) problems.push(`missing column "${kind}"`);
  for (const row of body) {
    const method = (row[0] ?? '').replace(/`/g, '');
    if (!(MATRIX_METHODS as readonly string[]).includes(method)) {
      problems.push(`unknown method "${method}"`);
      continue;
    }
    if (cells.has(method)) problems.push(`method "${method}" listed twice`);
    const byKind = new Map<string, Verdict[]>();
    columns.forEach((kind, i) => {
      const text = row[i + 1] ?? '';
      if (text === '') problems.push(`${method} × ${kind}: empty cell`);
      else byKind.set(kind, parseCell(text, method, kind, problems));
    });
    cells.set(method, byKind);
  }
  for (const method of MATRIX_METHODS) if (!cells.has(method)) problems.push(`missing method "${method}"`);
  return { cells, problems };
}
