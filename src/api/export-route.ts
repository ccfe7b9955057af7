/** GET /export: telemetry streamed as CSV or JSON lines, with the data.export selection as query parameters. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HubError, toRpcErrorObject } from '../core/errors.ts';
import type { HubServices } from '../app/services.ts';
import { CSV_HEADER, exportLines } from '../app/data-methods.ts';
import type { RangedSelection } from '../app/query-params.ts';
import type { HttpRoute } from './http-server.ts';

/**
 * Query: `device_id` (repeatable), `measurement_type` (repeatable), `zone`, `model`, `type`, `start`,
 * `end`, `last` (e.g. 24h), `format` (csv | jsonl). Rows are written as the store yields them, with
 * backpressure, so a year of data never sits in memory.
 */
const EXPORT_QUERY_KEYS = new Set(['device_id', 'measurement_type', 'zone', 'name', 'model', 'manufacturer', 'search', 'type', 'start', 'end', 'last', 'format']);

export function exportRoute(services: HubServices): HttpRoute {
  return {
    method: 'GET',
    path: '/export',
    async handler(req: IncomingMessage, res: ServerResponse) {
      const url = new URL(req.url ?? '/', 'http://hub');
      const q = url.searchParams;
      // Closed like the JSON-RPC params: a misspelt key (`?zome=Zone A`) must not export every device.
      const unknown = [...q.keys()].find((key) => !EXPORT_QUERY_KEYS.has(key));
      if (unknown !== undefined) {
        const error = new HubError('INVALID_PARAMS', `Invalid params: unknown query parameter "${unknown}" (known: ${[...EXPORT_QUERY_KEYS].join(', ')})`, {
          issues: [{ path: `/${unknown}`, message: 'is not a known query parameter' }],
        });
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: toRpcErrorObject(error) }));
        return;
      }
      const format = q.get('format') === 'jsonl' ? 'jsonl' : 'csv';
      const filter: NonNullable<RangedSelection['filter']> = {};
      for (const key of ['zone', 'name', 'model', 'manufacturer', 'search'] as const) {
        const value = q.get(key);
        if (value !== null) filter[key] = value;
      }
      const type = q.get('type');
      if (type === 'mcu' || type === 'sensor' || type === 'actuator') filter.type = type;
      const ids = q.getAll('device_id');
      const measurements = q.getAll('measurement_type');
      const range: NonNullable<RangedSelection['time_range']> = {};
      for (const key of ['start', 'end', 'last'] as const) {
        const value = q.get(key);
        if (value !== null) range[key] = value;
      }
      const selection: RangedSelection = {
        ...(ids.length > 0 && { device_ids: ids }),
        ...(Object.keys(filter).length > 0 && { filter }),
        ...(measurements.length > 0 && { measurement_types: measurements }),
        time_range: range,
      };
      const lines = exportLines(services, selection, format);
      let first: IteratorResult<string>;
      try {
        first = await lines.next();
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: toRpcErrorObject(error) }));
        return;
      }
      res.writeHead(200, {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        'content-disposition': `attachment; filename="telemetry.${format === 'csv' ? 'csv' : 'jsonl'}"`,
      });
      if (format === 'csv') res.write(`${CSV_HEADER}\n`);
      try {
        for (let next = first; !next.done; next = await lines.next()) {
          if (!res.write(`${next.value}\n`)) await new Promise((resolve) => res.once('drain', resolve));
          if (res.destroyed) break;
        }
      } catch (error) {
        services.logger.error({ err: error }, 'export: stream failed');
      }
      res.end();
    },
  };
}
