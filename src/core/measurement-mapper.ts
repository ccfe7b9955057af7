/**
 * MeasurementMapper: puts every telemetry point into the vocabulary of measurements.ts on its way into
 * the pipeline, keeping the reported name and unit beside the canonical ones. Mappings are cached per
 * (name, unit) pair, so the hot path costs two map lookups per point.
 */
import { mapMeasurement, type MeasurementMapping } from './measurements.ts';
import type { TelemetryPoint } from './telemetry.ts';

const NO_UNIT = '\u0000';

export class MeasurementMapper {
  readonly #cache = new Map<string, Map<string, MeasurementMapping>>();
  readonly #maxNames: number;
  #size = 0;

  /** `maxPairs` bounds the cache (names are device-chosen); past it the cache starts afresh. */
  constructor(maxPairs = 10_000) {
    this.#maxNames = maxPairs;
  }

  /** The cached mapping of one (name, unit) pair. */
  mapping(measurement: string, unit: string | undefined): MeasurementMapping {
    let byUnit = this.#cache.get(measurement);
    const key = unit ?? NO_UNIT;
    const known = byUnit?.get(key);
    if (known !== undefined) return known;
    if (this.#size >= this.#maxNames) {
      this.#cache.clear();
      this.#size = 0;
      byUnit = undefined;
    }
    const mapping = mapMeasurement(measurement, unit);
    if (byUnit === undefined) this.#cache.set(measurement, (byUnit = new Map()));
    byUnit.set(key, mapping);
    this.#size++;
    return mapping;
  }

  /**
   * The point in canonical form: the same object when nothing changes, else a copy with the canonical
   * name and unit (the value as reported), and `sourceMeasurement` / `sourceUnit` set to what the
   * device reported. A point already mapped keeps its source fields.
   */
  map(point: TelemetryPoint): TelemetryPoint {
    const mapping = this.mapping(point.measurement, point.unit);
    if (mapping.identity) return point;
    const out: { -readonly [K in keyof TelemetryPoint]: TelemetryPoint[K] } = {
      deviceId: point.deviceId,
      measurement: mapping.measurement,
      ts: point.ts,
      value: point.value,
      sourceMeasurement: point.sourceMeasurement ?? point.measurement,
    };
    if (mapping.unit !== undefined) out.unit = mapping.unit;
    const sourceUnit = point.sourceUnit ?? point.unit;
    if (sourceUnit !== undefined) out.sourceUnit = sourceUnit;
    if (point.quality !== undefined) out.quality = point.quality;
    if (point.historical === true) out.historical = true;
    return out;
  }

  /** Map a batch; returns the input array itself when no point changes. */
  mapAll(points: readonly TelemetryPoint[]): readonly TelemetryPoint[] {
    let out: TelemetryPoint[] | undefined;
    for (let i = 0; i < points.length; i++) {
      const point = points[i] as TelemetryPoint;
      const mapped = this.map(point);
      if (out === undefined && mapped !== point) out = points.slice(0, i);
      if (out !== undefined) out.push(mapped);
    }
    return out ?? points;
  }
}
