// Writes what a registration says into the hub: the MCU, its attached IPSO devices, and their current values.
import type { CommitReceipt } from '../../../core/commit-receipt.ts';
import type { DeviceIngress, DeviceLookup } from '../../../core/device-ingress.ts';
import type { Device, JsonObject } from '../../../core/device.ts';
import { HubError } from '../../../core/errors.ts';
import type { Logger } from '../../../log/logger.ts';
import { deviceInfoFromObject3 } from '../device-info.ts';
import type { ObjectModel } from '../object-model.ts';
import type { Registration } from '../registration.ts';
import { entriesFromObjects, type TypedEntry } from './content-values.ts';
import { attachedDevicePlans, ipsoHardwareId, LWM2M_SCHEMA_VERSION, mcuDynamicPatch, mcuStaticSchema } from './device-mapping.ts';
import { lifetimeGraceMs } from './lifetime-tracker.ts';
import type { Lwm2mSession } from './lwm2m-session.ts';
import { pointsFromEntries, type TelemetryTargets } from './telemetry-mapping.ts';

/** Largest heartbeat window the stores keep (a 32-bit integer of ms). */
const MAX_HEARTBEAT_MS = 2 ** 31 - 1;

export interface DeviceSyncOptions {
  readonly registry: DeviceLookup;
  readonly ingress: DeviceIngress;
  readonly model: ObjectModel;
  readonly logger: Logger;
  readonly now: () => number;
  /** Points the pipeline refused (OVERLOADED, SHUTTING_DOWN) or could not store. */
  readonly onTelemetryLost: (endpoint: string, error: unknown, points: number) => void;
  /** The receipt of the endpoint's message being handled, if its acknowledgement waits for the commit. */
  readonly receiptFor?: (endpoint: string) => CommitReceipt | undefined;
}

/** Registry and telemetry writes for LwM2M endpoints. */
export class Lwm2mDeviceSync {
  readonly #o: DeviceSyncOptions;

  constructor(options: DeviceSyncOptions) {
    this.#o = options;
  }

  /**
   * Create or update the endpoint's MCU (hardware id = endpoint name, so the same registry entry as a
   * Sparkplug edge node or native client of that name), its attached IPSO devices, and store the values
   * the registration carried. With `onlyIfChanged` (Updates) the registry entry is rewritten only when
   * the static schema or the heartbeat window changed; values alone refresh the dynamic state.
   * Throws HubError INVALID_PARAMS when a document fails its schema.
   */
  async registerEndpoint(registration: Registration, onlyIfChanged = false): Promise<Device> {
    const { registry, ingress } = this.#o;
    const existing = registry.getByHardwareId(registration.endpoint);
    // Another protocol's heartbeat window stays; else the lifetime is the window (a LwM2M device is
    // silent between Updates), so the liveness monitor never fires before the lifetime does.
    const keepWindow = existing !== undefined && existing.status !== 'deregistered' && existing.protocols.some((p) => p !== 'lwm2m') && existing.heartbeatIntervalMs !== null;
    const windowMs = registration.lifetimeS === 0 ? MAX_HEARTBEAT_MS : Math.min(MAX_HEARTBEAT_MS, registration.lifetimeS * 1000 + lifetimeGraceMs(registration.lifetimeS));
    const { device } = await ingress.announce({
      hardwareId: registration.endpoint,
      type: 'mcu',
      parentId: null,
      staticSchema: mcuStaticSchema(registration, existing),
      schemaVersion: LWM2M_SCHEMA_VERSION,
      protocol: 'lwm2m',
      onlyIfChanged,
      ...(keepWindow ? {} : { heartbeatIntervalMs: windowMs }),
    });
    this.updateDynamic(device.id, registration);
    await this.syncAttached(registration, device);
    return registry.get(device.id) ?? device;
  }

  /** Register an attached device for every IPSO instance that is new or whose description changed. */
  async syncAttached(registration: Registration, mcu: Device): Promise<void> {
    for (const plan of attachedDevicePlans(registration, mcu.manufacturer, this.#o.model)) {
      await this.#o.ingress.announce({
        hardwareId: plan.hardwareId,
        type: plan.type,
        parentId: mcu.id,
        staticSchema: plan.staticSchema,
        schemaVersion: LWM2M_SCHEMA_VERSION,
        protocol: 'lwm2m',
        onlyIfChanged: true,
      });
    }
  }

  /** An instance was deleted: its attached device is deregistered (history kept). */
  async removeInstance(endpoint: string, objectId: number, instanceId: number): Promise<void> {
    const device = this.#o.registry.getByHardwareId(ipsoHardwareId(endpoint, objectId, instanceId));
    if (device !== undefined && device.status !== 'deregistered') await this.#o.ingress.removed(device.id);
  }

  /**
   * Store measurement values (registration, read, observe, notify) as telemetry; returns the point count.
   * The commit goes on the receipt of the message being handled, so its PUBACK waits for it.
   */
  store(session: Lwm2mSession, entries: readonly TypedEntry[], ts = this.#o.now()): number {
    const points = pointsFromEntries(this.#o.model, entries, this.targets(session), ts);
    if (points.length === 0) return 0;
    const receipt = this.#o.receiptFor?.(session.endpoint);
    try {
      const committed = this.#o.ingress.report(points);
      committed.catch((error: unknown) => this.#o.onTelemetryLost(session.endpoint, error, points.length));
      receipt?.add(committed);
    } catch (error) {
      this.#o.onTelemetryLost(session.endpoint, error, points.length);
      receipt?.refused(error);
    }
    return points.length;
  }

  /** Store the resource values a registration (or update) carried. */
  storeRegistrationValues(session: Lwm2mSession, registration: Registration): number {
    const entries = entriesFromObjects(registration.objects);
    session.rememberUnits(entries);
    return this.store(session, entries);
  }

  targets(session: Lwm2mSession): TelemetryTargets {
    const registry = this.#o.registry;
    return {
      mcuId: session.deviceId,
      attachedId: (objectId, instanceId) => {
        const device = registry.getByHardwareId(ipsoHardwareId(session.endpoint, objectId, instanceId));
        return device === undefined || device.status === 'deregistered' ? undefined : device.id;
      },
      unitFor: (objectId, instanceId) => session.units.get(`${objectId}/${instanceId}`),
      applicationTypeFor: (objectId, instanceId) => {
        const lwm2m = registry.getByHardwareId(ipsoHardwareId(session.endpoint, objectId, instanceId))?.staticSchema['lwm2m'];
        const text = typeof lwm2m === 'object' && lwm2m !== null && !Array.isArray(lwm2m) ? (lwm2m as JsonObject)['application_type'] : undefined;
        return typeof text === 'string' ? text : undefined;
      },
    };
  }

  /** Refresh the MCU's dynamic state from /3/0 values; returns the patch applied. */
  updateDynamic(deviceId: string, registration: Registration): JsonObject {
    const info = deviceInfoFromObject3(registration);
    const patch = info === undefined ? {} : mcuDynamicPatch(info);
    if (Object.keys(patch).length === 0) return patch;
    try {
      this.#o.ingress.seen(deviceId, { document: patch });
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      this.#o.logger.warn({ endpoint: registration.endpoint, err: error.message }, 'lwm2m: /3/0 values left out of the dynamic state');
    }
    return patch;
  }
}
