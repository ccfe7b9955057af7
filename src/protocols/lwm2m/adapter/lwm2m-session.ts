// The hub's state for one registered endpoint: its registration, observations and sensor units.
import type { Registration } from '../registration.ts';
import type { FirmwareUpdateFlow } from './firmware-update-flow.ts';

/** An observation the hub holds on a path (Core TS 1.2 §6.4.4 Observe). */
export interface Observation {
  readonly path: string;
  /** reqID of the observe request; notifications echo it. */
  readonly reqID: number;
  /** Who asked: an `lwm2m.observe` call, or the hub's own firmware update. */
  readonly origin: 'client' | 'firmware';
}

/** A live registration: created by Register, refreshed by Update, removed by De-register or expiry. */
export class Lwm2mSession {
  readonly endpoint: string;
  /** UUID of the endpoint's MCU. */
  readonly deviceId: string;
  registration: Registration;
  /** Observations by canonical path. */
  readonly observations = new Map<string, Observation>();
  /** /…/5701 Sensor Units by `objectId/instanceId`. */
  readonly units = new Map<string, string>();
  /** The firmware update under way, if any (one at a time per device, Object 5 is single-instance). */
  firmware: FirmwareUpdateFlow | undefined;

  constructor(registration: Registration, deviceId: string) {
    this.endpoint = registration.endpoint;
    this.deviceId = deviceId;
    this.registration = registration;
  }

  /** Objects the device registered that the object model does not define. */
  customObjects(): ReadonlySet<number> {
    return new Set(this.registration.unknownObjects);
  }

  /** Whether the registration lists object instance `/objectId/instanceId` (or the object, when no instance is given). */
  hasObject(objectId: number, instanceId?: number): boolean {
    const object = this.registration.objects.find((o) => o.objectId === objectId);
    return object !== undefined && (instanceId === undefined || object.instances.some((i) => i.instanceId === instanceId));
  }

  /** The observation covering `path`: on the path itself or on an enclosing object / instance / resource. */
  observationFor(path: string): Observation | undefined {
    for (const observation of this.observations.values()) {
      if (path === observation.path || path.startsWith(`${observation.path}/`)) return observation;
    }
    return undefined;
  }

  /** Remember 5701 Sensor Units values. */
  rememberUnits(entries: readonly { objectId: number; instanceId: number; resourceId: number; value: unknown }[]): void {
    for (const entry of entries) {
      if (entry.resourceId === 5701 && typeof entry.value === 'string' && entry.value !== '') this.units.set(`${entry.objectId}/${entry.instanceId}`, entry.value);
    }
  }
}
