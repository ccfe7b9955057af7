/** resources/list, /templates/list, /read, /subscribe, /unsubscribe over the fleet, zone, device, capability and telemetry documents and the chart app. */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import type { CallContext } from '../rpc/method.ts';
import { resolveDevice, type HubServices } from '../app/services.ts';
import { CAPABILITY_TEMPLATE, contextDocument, parseContextUri, ZONE_TEMPLATE } from './context-resources.ts';
import { deviceDocument, fleetDocument, telemetryDocument, TELEMETRY_WINDOW } from './resource-documents.ts';
import { deviceUri, DEVICE_TEMPLATE, FLEET_URI, parseResourceUri, TELEMETRY_TEMPLATE, type ResourceRef } from './resource-uris.ts';
import type { ResourceWatcher } from './resource-watcher.ts';
import { CHART_RESOURCE, CHART_UI_META, telemetryChartHtml, TELEMETRY_CHART_URI } from './telemetry-chart-app.ts';

/** MCP 2025-11-25 server/resources §Error Handling: resource not found is -32002. */
const RESOURCE_NOT_FOUND = -32002;
const PAGE_SIZE = 200;
const JSON_MIME = 'application/json';

const FLEET_RESOURCE: Resource = {
  uri: FLEET_URI,
  name: 'fleet',
  title: 'Fleet',
  description: 'Every active device: id, hardware id, type, model, zone, status, protocols and parent MCU.',
  mimeType: JSON_MIME,
};

/** Register the resource handlers on a session's server; subscriptions go to its watcher. */
export function registerResourceHandlers(server: Server, services: HubServices, watcher: ResourceWatcher, context: () => CallContext): void {
  server.setRequestHandler(ListResourcesRequestSchema, (request) => {
    // Cursor = offset into [fleet, ...devices] (MCP 2025-11-25 server/utilities/pagination: opaque to clients).
    const offset = request.params?.cursor === undefined ? 0 : Number.parseInt(request.params.cursor, 10);
    if (!Number.isInteger(offset) || offset < 0) throw new McpError(ErrorCode.InvalidParams, `Invalid cursor: ${request.params?.cursor}`);
    const all = [FLEET_RESOURCE, CHART_RESOURCE, ...services.registry.list().map(deviceResource)];
    const page = all.slice(offset, offset + PAGE_SIZE);
    return { resources: page, ...(offset + PAGE_SIZE < all.length && { nextCursor: String(offset + PAGE_SIZE) }) };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: DEVICE_TEMPLATE,
        name: 'device',
        title: 'Device',
        description: 'One device (id = UUID or percent-encoded hardware id): static schema, dynamic state, status, attached devices, latest readings.',
        mimeType: JSON_MIME,
      },
      {
        uriTemplate: TELEMETRY_TEMPLATE,
        name: 'device-telemetry',
        title: 'Device telemetry',
        description: `Telemetry of a device and the devices attached to it: latest value of each measurement and ${TELEMETRY_WINDOW.aggregation} per ${TELEMETRY_WINDOW.interval} over the last ${TELEMETRY_WINDOW.last}.`,
        mimeType: JSON_MIME,
      },
      {
        uriTemplate: ZONE_TEMPLATE,
        name: 'zone',
        title: 'Zone',
        description: 'The devices of one zone, how many are online, and the measurements they report (with units).',
        mimeType: JSON_MIME,
      },
      {
        uriTemplate: CAPABILITY_TEMPLATE,
        name: 'device-capability',
        title: 'Device capability',
        description: 'One measurement (unit, range), setting (allowed values or range) or command (arguments) of a device.',
        mimeType: JSON_MIME,
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    if (uri === TELEMETRY_CHART_URI) return { contents: [{ uri, mimeType: CHART_RESOURCE.mimeType, text: telemetryChartHtml(), _meta: { ui: CHART_UI_META } }] };
    const context_ = parseContextUri(uri);
    if (context_ !== undefined) {
      const doc = contextOrMissing(services, context_, uri);
      return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(doc, null, 2) }] };
    }
    const ref = parse(uri);
    const document =
      ref.kind === 'fleet'
        ? fleetDocument(services)
        : ref.kind === 'device'
          ? await deviceDocument(services, find(services, ref.ref, uri), context())
          : await telemetryDocument(services, find(services, ref.ref, uri), context());
    return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(document, null, 2) }] };
  });

  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    const { uri } = request.params;
    const context_ = parseContextUri(uri);
    if (context_ !== undefined) {
      // Zone and capability documents follow the registry: updated whenever the fleet changes.
      contextOrMissing(services, context_, uri);
      watcher.subscribe(uri, { kind: 'fleet' }, undefined);
      return {};
    }
    const ref = parse(uri);
    watcher.subscribe(uri, ref, ref.kind === 'fleet' ? undefined : find(services, ref.ref, uri).id);
    return {};
  });

  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    watcher.unsubscribe(request.params.uri);
    return {};
  });
}

function deviceResource(device: Device): Resource {
  return {
    uri: deviceUri(device.id),
    name: device.hardwareId,
    title: device.name,
    description: `${device.type} ${device.model}${device.zone ? ` in ${device.zone}` : ''}, ${device.status}`,
    mimeType: JSON_MIME,
  };
}

function parse(uri: string): ResourceRef {
  const ref = parseResourceUri(uri);
  if (!ref) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri} (this hub serves llmiot://fleet and llmiot://device/{id}[/telemetry])`, { uri });
  return ref;
}

function contextOrMissing(services: HubServices, ref: NonNullable<ReturnType<typeof parseContextUri>>, uri: string): Record<string, unknown> {
  let doc: Record<string, unknown> | undefined;
  try {
    doc = contextDocument(services, ref);
  } catch (error) {
    if (!(error instanceof HubError && error.code === 'DEVICE_NOT_FOUND')) throw error;
  }
  if (doc === undefined) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri} (no such ${ref.kind})`, { uri });
  return doc;
}

function find(services: HubServices, ref: string, uri: string): Device {
  try {
    return resolveDevice(services, ref);
  } catch (error) {
    if (error instanceof HubError && error.code === 'DEVICE_NOT_FOUND') throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri} (no such device)`, { uri });
    throw error;
  }
}
