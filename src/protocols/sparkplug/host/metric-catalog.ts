// The metrics one BIRTH announced: name, datatype, alias and engineering unit, found by name or alias.

import { DataType, dataTypeName, isMetricDataType } from '../codec/datatypes.ts';
import type { MetricDataTypeId } from '../codec/datatypes.ts';
import type { SparkplugMetric } from '../codec/types.ts';
import type { TelemetryPoint } from '../../../core/telemetry.ts';

/** One metric as its BIRTH defined it; DATA and CMD messages are typed against it (§5: aliases and the datatype context). */
export interface MetricDefinition {
  readonly name: string;
  readonly datatype: MetricDataTypeId;
  readonly alias?: bigint;
  /** The `engUnit` property of the BIRTH metric, when it carried one. */
  readonly engUnit?: string;
}

/** The latest value the node reported for a metric in this BIRTH's session, and when the host received it. */
export interface CurrentValue {
  readonly point: TelemetryPoint;
  readonly receivedAt: number;
}

/** Why a BIRTH's metric list was refused. */
export interface BirthProblem {
  readonly reason: 'duplicate_alias' | 'unnamed_metric' | 'untyped_metric';
  readonly detail: string;
}

/** Aliases already taken elsewhere on the edge node (its NBIRTH and its other devices). */
export type AliasOwner = (alias: bigint) => string | undefined;

/** Metrics of one Edge Node or Device for the length of a BIRTH. */
export class MetricCatalog {
  readonly #byName = new Map<string, MetricDefinition>();
  readonly #byAlias = new Map<bigint, MetricDefinition>();
  /** Report by exception: the last reported value of each metric is its current value while the session lives. */
  readonly #current = new Map<string, CurrentValue>();

  private constructor(definitions: readonly MetricDefinition[]) {
    for (const definition of definitions) {
      this.#byName.set(definition.name, definition);
      if (definition.alias !== undefined) this.#byAlias.set(definition.alias, definition);
    }
  }

  /** An empty catalog (an edge node not born yet). */
  static empty(): MetricCatalog {
    return new MetricCatalog([]);
  }

  /**
   * Build from a BIRTH's metrics. Every metric needs a name and a datatype
   * ([tck-id-payloads-alias-birth-requirement], [tck-id-payloads-metric-datatype-req]); an alias must be
   * unique across the edge node's whole metric set ([tck-id-payloads-alias-uniqueness]), which
   * `takenElsewhere` reports for the node's other catalogs.
   */
  static fromBirth(metrics: readonly SparkplugMetric[], takenElsewhere: AliasOwner = () => undefined): MetricCatalog | BirthProblem {
    const definitions: MetricDefinition[] = [];
    const aliases = new Map<bigint, string>();
    for (const [i, metric] of metrics.entries()) {
      if (metric.name === undefined || metric.name === '') return { reason: 'unnamed_metric', detail: `metrics[${i}] has no name` };
      const datatype = metric.datatype;
      if (datatype === undefined || datatype === DataType.Unknown || !isMetricDataType(datatype)) {
        return { reason: 'untyped_metric', detail: `metric ${JSON.stringify(metric.name)} has no datatype` };
      }
      if (metric.alias !== undefined) {
        const here = aliases.get(metric.alias);
        const owner = here !== undefined ? (here === metric.name ? undefined : here) : takenElsewhere(metric.alias);
        if (owner !== undefined) {
          return { reason: 'duplicate_alias', detail: `alias ${metric.alias} names both ${JSON.stringify(owner)} and ${JSON.stringify(metric.name)}` };
        }
        aliases.set(metric.alias, metric.name);
      }
      const unit = metric.properties?.['engUnit']?.value;
      definitions.push({
        name: metric.name,
        datatype,
        ...(metric.alias !== undefined && { alias: metric.alias }),
        ...(typeof unit === 'string' && unit !== '' && { engUnit: unit }),
      });
    }
    return new MetricCatalog(definitions);
  }

  get size(): number {
    return this.#byName.size;
  }

  byName(name: string): MetricDefinition | undefined {
    return this.#byName.get(name);
  }

  /** The definition a DATA/CMD metric refers to: by alias when it has one, else by name. */
  resolve(metric: SparkplugMetric): MetricDefinition | undefined {
    return metric.alias !== undefined ? this.#byAlias.get(metric.alias) : metric.name === undefined ? undefined : this.#byName.get(metric.name);
  }

  /** The name that owns `alias`, if this catalog has it. */
  aliasOwner(alias: bigint): string | undefined {
    return this.#byAlias.get(alias)?.name;
  }

  /** Remember `point` (a BIRTH or DATA value of metric `name`) as the metric's current value. */
  record(name: string, point: TelemetryPoint, receivedAt: number): void {
    this.#current.set(name, { point, receivedAt });
  }

  /** The current value of a metric, if the node reported one since this BIRTH. */
  current(name: string): CurrentValue | undefined {
    return this.#current.get(name);
  }

  definitions(): IterableIterator<MetricDefinition> {
    return this.#byName.values();
  }
}

/** True when a value is a problem report rather than a catalog. */
export function isBirthProblem(value: MetricCatalog | BirthProblem): value is BirthProblem {
  return !(value instanceof MetricCatalog);
}

/** The specification name of a metric's datatype, e.g. "Int8". */
export function datatypeLabel(definition: MetricDefinition): string {
  return dataTypeName(definition.datatype) ?? String(definition.datatype);
}
