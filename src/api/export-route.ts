/** GET /export: telemetry streamed as CSV or JSON lines, with the data.export selection as query parameters. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HubError, toRpcErrorObject } from '../core/errors.ts';
import type { HubServices } from '../app/services.ts';
import { CSV_HEADER, exportLines, type ExportParams } from '../app/data-methods.ts';
import type { MethodRegistry } from '../rpc/method-registry.ts';
import type { HttpRoute } from './http-server.ts';

/**
 * Query: `device_id` and `measurement_type` (lists: repeat the key), `zone`, `name`, `model`,
 * `manufacturer`, `search`, `type`, `start`, `end`, `last` (e.g. 24h), `format` (csv | jsonl), each
 * at most once. The query becomes data.export params and is validated as data.export (the same schema
 * in the same method registry), so both refuse the same values with -32602; here the message names
 * the query parameter. Rows are written as the store yields them, with backpressure, so a year of
 * data never sits in memory.
 */
const LIST_KEYS = ['device_id', 'measurement_type'] as const;
const FILTER_KEYS = ['zone', 'name', 'model', 'manufacturer', 'search', 'type'] as const;
const RANGE_KEYS = ['start', 'end', 'last'] as const;
const EXPORT_QUERY_KEYS = new Set<string>([...LIST_KEYS, ...FILTER_KEYS, ...RANGE_KEYS, 'format']);

export function exportRoute(services: HubServices, methods: MethodRegistry): HttpRoute {
  return {
    method: 'GET',
    path: '/export',
    async handler(req: IncomingMessage, res: ServerResponse) {
      const refuse = (error: unknown): void => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: toRpcErrorObject(error) }));
      };
      const url = new URL(req.url ?? '/', 'http://hub');
      const q = url.searchParams;
      // Closed like the JSON-RPC params: a misspelt key (`?zome=Zone A`) must not export every device.
      const unknown = [...q.keys()].find((key) => !EXPORT_QUERY_KEYS.has(key));
      if (unknown !== undefined) {
        return refuse(
          new HubError('INVALID_PARAMS', `Invalid params: unknown query parameter "${unknown}" (known: ${[...EXPORT_QUERY_KEYS].join(', ')})`, {
            issues: [{ path: `/${unknown}`, message: 'is not a known query parameter' }],
          }),
        );
      }
      // `?zone=A&zone=B` must not quietly mean Zone A: only the two lists may repeat.
      const repeated = [...new Set(q.keys())].find((key) => !(LIST_KEYS as readonly string[]).includes(key) && q.getAll(key).length > 1);
      if (repeated !== undefined) {
        const message = `takes one value, given ${q.getAll(repeated).length} (only ${LIST_KEYS.join(' and ')} may repeat)`;
        return refuse(new HubError('INVALID_PARAMS', `Invalid params: query parameter "${repeated}" ${message}`, { issues: [{ path: pointerOf(repeated), message }] }));
      }
      const filter: Record<string, string> = {};
      for (const key of FILTER_KEYS) {
        const value = q.get(key);
        if (value !== null) filter[key] = value;
      }
      const range: Record<string, string> = {};
      for (const key of RANGE_KEYS) {
        const value = q.get(key);
        if (value !== null) range[key] = value;
      }
      const ids = q.getAll('device_id');
      const measurements = q.getAll('measurement_type');
      const format = q.get('format');
      const params = {
        ...(ids.length > 0 && { device_ids: ids }),
        ...(measurements.length > 0 && { measurement_types: measurements }),
        ...(Object.keys(filter).length > 0 && { filter }),
        ...(Object.keys(range).length > 0 && { time_range: range }),
        ...(format !== null && { format }),
      };
      const definition = methods.get('data.export');
      if (definition === undefined) throw new Error('GET /export needs the data.export method registered');
      let selection: ExportParams;
      try {
        selection = methods.validateParams(definition, params) as ExportParams;
      } catch (error) {
        return refuse(namingQueryParameter(error));
      }
      const chosen = selection.format ?? 'csv';
      const lines = exportLines(services, selection, chosen);
      let first: IteratorResult<string>;
      try {
        first = await lines.next();
      } catch (error) {
        return refuse(namingQueryParameter(error));
      }
      res.writeHead(200, {
        'content-type': chosen === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        'content-disposition': `attachment; filename="telemetry.${chosen === 'csv' ? 'csv' : 'jsonl'}"`,
      });
      if (chosen === 'csv') res.write(`${CSV_HEADER}\n`);
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

/** The data.export params pointer a query parameter fills. */
function pointerOf(key: string): string {
  if (key === 'device_id' || key === 'measurement_type') return `/${key}s`;
  if ((FILTER_KEYS as readonly string[]).includes(key)) return `/filter/${key}`;
  if ((RANGE_KEYS as readonly string[]).includes(key)) return `/time_range/${key}`;
  return `/${key}`;
}

/** The query parameter behind a data.export params pointer (`/time_range/last` → last), if any. */
function queryParameterOf(path: string): string | undefined {
  const match = /^\/(?:(device_id|measurement_type)s(?:\/\d+)?|filter\/([a-z_]+)|time_range\/([a-z_]+)|(format))$/.exec(path);
  const key = match?.slice(1).find((group) => group !== undefined);
  return key !== undefined && EXPORT_QUERY_KEYS.has(key) ? key : undefined;
}

/**
 * A -32602 of data.export's validation (or of its time range), reworded for the query: the message
 * names the query parameter (`query parameter "last" must match …` for `/time_range/last must match …`);
 * code and `data.issues` stay exactly what data.export answers for the same values.
 */
function namingQueryParameter(error: unknown): unknown {
  if (!(error instanceof HubError) || error.code !== 'INVALID_PARAMS') return error;
  const issue = (error.data as { issues?: readonly { path: string; message: string }[] } | undefined)?.issues?.[0];
  const key = issue === undefined ? undefined : queryParameterOf(issue.path);
  if (issue === undefined || key === undefined) return error;
  return new HubError('INVALID_PARAMS', `Invalid params: query parameter "${key}" ${issue.message}`, error.data);
}
