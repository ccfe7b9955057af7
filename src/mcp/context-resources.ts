/**
 * Fleet context for the model beside the (fixed) tool list: `llmiot://zone/{zone}` (the devices of a
 * zone and what they measure) and `llmiot://device/{id}/capability/{capability}` (one measurement,
 * setting or command of a device, with its unit, range or allowed values), plus the completion
 * candidates of their template arguments.
 */
import type { HubServices } from '../app/services.ts';
import { resolveDevice } from '../app/services.ts';
import { capabilitiesOf, capabilityNames } from '../tools/device-capabilities.ts';

export const ZONE_TEMPLATE = 'llmiot://zone/{zone}';
export const CAPABILITY_TEMPLATE = 'llmiot://device/{id}/capability/{capability}';

const ZONE_PREFIX = 'llmiot://zone/';
const CAPABILITY = /^llmiot:\/\/device\/([^/]+)\/capability\/([^/]+)$/;

export type ContextRef = { readonly kind: 'zone'; readonly zone: string } | { readonly kind: 'capability'; readonly ref: string; readonly capability: string };

const decode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

export function parseContextUri(uri: string): ContextRef | undefined {
  if (uri.startsWith(ZONE_PREFIX)) {
    const zone = decode(uri.slice(ZONE_PREFIX.length));
    return zone && !zone.includes('/') ? { kind: 'zone', zone } : undefined;
  }
  const match = CAPABILITY.exec(uri);
  const ref = match?.[1] === undefined ? undefined : decode(match[1]);
  const capability = match?.[2] === undefined ? undefined : decode(match[2]);
  return ref && capability ? { kind: 'capability', ref, capability } : undefined;
}

/** The document, or undefined when the zone or capability does not exist (resource not found). */
export function contextDocument(services: HubServices, ref: ContextRef): Record<string, unknown> | undefined {
  if (ref.kind === 'zone') {
    const devices = services.registry.list({ zone: ref.zone });
    if (devices.length === 0) return undefined;
    const measurements = new Map<string, string | undefined>();
    for (const d of devices) for (const m of capabilitiesOf(d).measurements) measurements.set(m.name, m.unit);
    return {
      zone: devices[0]?.zone ?? ref.zone,
      total: devices.length,
      online: devices.filter((d) => d.status === 'online').length,
      measurements: [...measurements].map(([name, unit]) => ({ name, unit: unit ?? null })),
      devices: devices.map((d) => ({ id: d.id, hardware_id: d.hardwareId, type: d.type, model: d.model, status: d.status })),
    };
  }
  const device = resolveDevice(services, ref.ref);
  const caps = capabilitiesOf(device);
  const found =
    caps.measurements.find((m) => m.name === ref.capability) !== undefined
      ? { kind: 'measurement', ...caps.measurements.find((m) => m.name === ref.capability) }
      : caps.settings?.find((s) => s.name === ref.capability) !== undefined
        ? { kind: 'setting', ...caps.settings.find((s) => s.name === ref.capability) }
        : caps.commands.find((c) => c.name === ref.capability) !== undefined
          ? { kind: 'command', name: ref.capability, args: caps.commands.find((c) => c.name === ref.capability)?.args }
          : undefined;
  if (found === undefined) return undefined;
  return { device_id: device.id, hardware_id: device.hardwareId, model: device.model, ...found };
}

/** Completion candidates of a template argument (`zone`, `id`, `capability` given `id`). */
export function contextCandidates(services: HubServices, argument: string, context: Record<string, string> | undefined): string[] {
  if (argument === 'zone') return [...new Set(services.registry.list().flatMap((d) => (d.zone === null ? [] : [d.zone])))].sort();
  if (argument === 'id') return services.registry.list().flatMap((d) => [d.id, encodeURIComponent(d.hardwareId)]);
  if (argument === 'capability') {
    const id = context?.['id'];
    if (id === undefined) return [...new Set(services.registry.list().flatMap((d) => capabilityNames(capabilitiesOf(d))))].sort();
    try {
      return capabilityNames(capabilitiesOf(resolveDevice(services, decode(id) ?? id)));
    } catch {
      return [];
    }
  }
  return [];
}
