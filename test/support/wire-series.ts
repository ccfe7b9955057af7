/** WireSeries: one series of a `data.query` answer as it crosses the wire (docs/api.md), for tests that read them. */
export interface WireSeries {
  device_id?: string;
  measurement_type: string;
  unit: string | null;
  source_measurement?: string;
  source_unit?: string | null;
  points: { timestamp: string; value: number; count?: number }[];
}
