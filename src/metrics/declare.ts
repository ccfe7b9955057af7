/**
 * How a hub metric is declared: one call per metric, its name checked by the compiler against the
 * Prometheus conventions (prefix `llmiot_`; counters end in `_total`, gauges never; durations and
 * sizes in base units, `_seconds` / `_bytes`), its known label values pre-initialised at 0.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** One combination of label values. */
export type LabelSet<L extends string> = Readonly<Record<L, string>>;

/** A counter's name: `llmiot_…_total`. */
export type CounterName = `llmiot_${string}_total`;
/** A gauge's name: `llmiot_…`, never `…_total` (that suffix promises a counter). */
export type GaugeName<N extends string> = N extends `${string}_total` ? never : N extends `llmiot_${string}` ? N : never;
/** A histogram's name: `llmiot_…_seconds` or `llmiot_…_bytes` (base units). */
export type HistogramName = `llmiot_${string}_seconds` | `llmiot_${string}_bytes`;

export interface CounterSpec<L extends string> {
  readonly name: CounterName;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /**
   * Label sets that exist from the start at 0. A series born at its first increment is invisible to
   * increase()/rate() for that increment (the first rebirth, the first failed command): list every
   * label value known in advance. Values not listed are still counted, from their first event.
   */
  readonly initial?: readonly LabelSet<L>[];
  /** Brings the counter up to date at scrape time (from running totals kept elsewhere: inc by the difference). */
  readonly collect?: (this: Counter<L>) => void;
}

/**
 * Declare a counter in `registry`. A metric of that name already there (a second protocol host on
 * the same hub) is returned instead of failing, with the new initial label sets added.
 */
export function counter<L extends string = never>(registry: Registry, spec: CounterSpec<L>): Counter<L> {
  const existing = registry.getSingleMetric(spec.name);
  const metric = existing instanceof Counter ? (existing as Counter<L>) : new Counter<L>({
          name: spec.name,
          help: spec.help,
          labelNames: spec.labelNames ?? [],
          registers: [registry],
          ...(spec.collect !== undefined && { collect: spec.collect }),
        });
  if (spec.labelNames === undefined || spec.labelNames.length === 0) metric.inc(0);
  for (const labels of spec.initial ?? []) metric.inc(labels as never, 0);
  return metric;
}

/** Declare a gauge; `collect` (optional) sets it at scrape time from live state. */
export function gauge<N extends string, L extends string = never>(
  registry: Registry,
  spec: { readonly name: GaugeName<N>; readonly help: string; readonly labelNames?: readonly L[]; readonly collect?: (this: Gauge<L>) => void },
): Gauge<L> {
  return new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    ...(spec.collect !== undefined && { collect: spec.collect }),
  });
}

/** Declare a histogram; `initial` label sets get their buckets at 0 from the start. */
export function histogram<L extends string = never>(
  registry: Registry,
  spec: { readonly name: HistogramName; readonly help: string; readonly buckets: readonly number[]; readonly labelNames?: readonly L[]; readonly initial?: readonly LabelSet<L>[] },
): Histogram<L> {
  const metric = new Histogram<L>({ name: spec.name, help: spec.help, buckets: [...spec.buckets], labelNames: spec.labelNames ?? [], registers: [registry] });
  if (spec.labelNames === undefined || spec.labelNames.length === 0) metric.zero({} as never);
  for (const labels of spec.initial ?? []) metric.zero(labels as never);
  return metric;
}

/** Every combination of the given label values: `labelProduct({ a: ['1', '2'], b: ['x'] })` → `[{a:'1',b:'x'}, {a:'2',b:'x'}]`. */
export function labelProduct<L extends string>(values: Readonly<Record<L, readonly string[]>>): LabelSet<L>[] {
  let sets: Record<string, string>[] = [{}];
  for (const [name, options] of Object.entries(values) as [string, readonly string[]][]) {
    sets = sets.flatMap((set) => options.map((value) => ({ ...set, [name]: value })));
  }
  return sets as LabelSet<L>[];
}

/** Seconds since `start` (a `performance.now()` reading): the base unit of every duration metric. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
