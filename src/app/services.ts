/** HubServices: what method handlers may use. Built by createHub; handlers never reach past it. */
import type { CommandExecutor } from '../core/command-executor.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';
import { isUuid } from '../core/device-id.ts';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { LatestValueCache } from '../core/latest-cache.ts';
import type { TelemetryPipeline } from '../core/telemetry-pipeline.ts';
import type { Logger } from '../log/logger.ts';
import type { RegistryStore } from '../core/ports/registry-store.ts';
import type { TelemetryStore } from '../core/ports/telemetry-store.ts';
import type { SchemaCheck } from '../core/ports/schema-check.ts';
import type { DeviceIngress } from '../core/device-ingress.ts';

export type { SchemaCheck };

export interface HubServices {
  readonly registry: DeviceRegistry;
  readonly pipeline: TelemetryPipeline;
  readonly cache: LatestValueCache;
  readonly executor: CommandExecutor;
  readonly telemetry: TelemetryStore;
  readonly registryStore: RegistryStore;
  readonly schemas: SchemaCheck;
  /** The device port: what device-side methods (register, heartbeat, offline, report) go through. */
  readonly ingress: DeviceIngress;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly now: () => number;
  /** Seconds a device may stay silent before it is expected to heartbeat (hub default). */
  readonly heartbeatIntervalS: number;
  /** Call a registered method with validation, as a client would (batch.execute, the LLM tool loop). */
  readonly invoke: (method: string, params: unknown, context: import('../rpc/method.ts').CallContext) => Promise<unknown>;
}

/** Resolve a device reference (UUID or hardware id) to a registered device, or DEVICE_NOT_FOUND. */
export function resolveDevice(services: HubServices, ref: string): Device {
  // UUIDs first (the common case, one map lookup), then hardware ids.
  const device = services.registry.get(ref) ?? (isUuid(ref) ? undefined : services.registry.getByHardwareId(ref));
  if (!device || device.status === 'deregistered') throw new HubError('DEVICE_NOT_FOUND', `device not found: ${ref}`, { device_id: ref });
  return device;
}

/** Resolve and check the device is of the expected type. */
export function resolveTyped(services: HubServices, ref: string, types: readonly Device['type'][], field: string): Device {
  const device = resolveDevice(services, ref);
  if (!types.includes(device.type)) {
    throw new HubError('INVALID_PARAMS', `${field} is a ${device.type}, expected ${types.join(' or ')}: ${ref}`, {
      issues: [{ path: `/${field}`, message: `must reference a ${types.join(' or ')}, got a ${device.type}` }],
    });
  }
  return device;
}
