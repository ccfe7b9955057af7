/** The fuzzer of each entry point, by name. */
import type { EntryName, FuzzEntry } from './entry.ts';
import { httpEntry } from './entries/http.ts';
import { lwm2mEntry } from './entries/lwm2m.ts';
import { mcpEntry } from './entries/mcp.ts';
import { nativeEntry } from './entries/native.ts';
import { sparkplugEntry } from './entries/sparkplug.ts';
import { wsEntry } from './entries/ws.ts';

export const ENTRIES: Readonly<Record<EntryName, FuzzEntry>> = {
  http: httpEntry,
  ws: wsEntry,
  native: nativeEntry,
  sparkplug: sparkplugEntry,
  lwm2m: lwm2mEntry,
  mcp: mcpEntry,
};
