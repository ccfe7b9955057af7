// Keeps the registration and the attached devices in step after a successful Create or Delete.
import type { Logger } from '../../../log/logger.ts';
import { parsePath } from '../lwm2m-path.ts';
import type { ObjectModel } from '../object-model.ts';
import type { Lwm2mDeviceSync } from './device-sync.ts';
import type { Lwm2mSession } from './lwm2m-session.ts';
import { mergeObjects, withoutInstance } from './registration-update.ts';

export interface InstanceChangeDeps {
  readonly sync: Lwm2mDeviceSync;
  readonly model: ObjectModel;
  readonly logger: Logger;
}

/** Delete /o/i answered 2.02: drop the instance and its observations, deregister its attached device. */
export async function instanceDeleted(deps: InstanceChangeDeps, session: Lwm2mSession, path: string): Promise<void> {
  const { objectId, instanceId } = parsePath(path);
  if (instanceId === undefined) return;
  session.registration = withoutInstance(session.registration, objectId, instanceId);
  for (const observed of [...session.observations.keys()]) if (observed === path || observed.startsWith(`${path}/`)) session.observations.delete(observed);
  try {
    await deps.sync.removeInstance(session.endpoint, objectId, instanceId);
    await deps.sync.registerEndpoint(session.registration);
  } catch (error) {
    deps.logger.warn({ err: error, endpoint: session.endpoint, path }, 'lwm2m: registry not updated after delete');
  }
}

/**
 * Create answered 2.01: add the instance named by the answer's location (or the request's /o/i) and its
 * attached device. Without an instance id the client chose one and did not say: its next Update lists it.
 */
export async function instanceCreated(deps: InstanceChangeDeps, session: Lwm2mSession, path: string, location: unknown): Promise<void> {
  let created;
  try {
    created = parsePath(typeof location === 'string' ? location : path);
  } catch {
    return;
  }
  if (created.instanceId === undefined) return;
  const definition = deps.model.object(created.objectId);
  const objects = mergeObjects(session.registration.objects, [
    { objectId: created.objectId, known: definition !== undefined, name: definition?.name ?? null, instances: [{ instanceId: created.instanceId, resources: {} }] },
  ]);
  session.registration = { ...session.registration, objects, unknownObjects: objects.filter((o) => !o.known).map((o) => o.objectId) };
  try {
    await deps.sync.registerEndpoint(session.registration);
  } catch (error) {
    deps.logger.warn({ err: error, endpoint: session.endpoint, path }, 'lwm2m: registry not updated after create');
  }
}
