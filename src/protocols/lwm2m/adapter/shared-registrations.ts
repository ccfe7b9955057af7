/**
 * LwM2M registrations in the shared session store (scale-out, src/cluster/): the instance that takes
 * an endpoint over continues its registration (Core TS 1.2 §6.2) instead of answering its next Update
 * 4.04. Kept per endpoint: the registration as a Register message (endpoint, lifetime, version,
 * binding, the object list as CoRE links), the MCU's device id, the time of the last Register or
 * Update (the lifetime runs from there), the observations and the sensor units. Observations are the
 * client's as much as the server's: the client keeps notifying under the same reqIDs, so the new
 * owner takes them over as they are rather than observing again (no re-registration happened, §6.3).
 */
import type { JsonObject } from '../../../core/device.ts';
import { HubError } from '../../../core/errors.ts';
import type { SessionStore } from '../../../core/ports/session-store.ts';
import type { Logger } from '../../../log/logger.ts';
import type { ObjectModel } from '../object-model.ts';
import { parseRegistration, type Registration } from '../registration.ts';
import { Lwm2mSession, type Observation } from './lwm2m-session.ts';

/** The protocol name rows are kept under. */
const PROTOCOL = 'lwm2m';

/** What is kept of one registration. */
interface StoredRegistration {
  readonly v: 1;
  readonly deviceId: string;
  /** The registration as a Register message (parseRegistration reads it back). */
  readonly register: JsonObject;
  readonly updatedAt: number;
  readonly observations: readonly Observation[];
  readonly units: Readonly<Record<string, string>>;
}

/** A registration read back: the session and when its lifetime started. */
export interface RestoredRegistration {
  readonly session: Lwm2mSession;
  readonly updatedAt: number;
}

/** The object list of a registration in CoRE Link Format (`</>;ct=…,</3/0>,</3303/0>;ver=1.1`), as a Register carries it. */
export function registrationLinks(registration: Registration): string {
  const links: string[] = [];
  if (registration.contentFormats.length > 0) links.push(`</>;ct="${registration.contentFormats.join(' ')}"`);
  for (const object of registration.objects) {
    const ver = object.version === undefined ? '' : `;ver=${object.version}`;
    if (object.instances.length === 0) links.push(`</${object.objectId}>${ver}`);
    object.instances.forEach((instance, i) => links.push(`</${object.objectId}/${instance.instanceId}>${i === 0 ? ver : ''}`));
  }
  return links.join(',');
}

export class SharedRegistrations {
  readonly #store: SessionStore;
  readonly #model: ObjectModel;
  readonly #logger: Logger;
  /** Per endpoint: the last Register or Update, and the state last written (a write is skipped when nothing changed). */
  readonly #updatedAt = new Map<string, number>();
  readonly #written = new Map<string, string>();

  constructor(store: SessionStore, model: ObjectModel, logger: Logger) {
    this.#store = store;
    this.#model = model;
    this.#logger = logger;
  }

  /** A Register or Update at `at`: the lifetime runs from there. */
  renewed(endpoint: string, at: number): void {
    this.#updatedAt.set(endpoint, at);
  }

  /** Write the session's state when it changed since the last write; a failed write is logged (the device would register again). */
  async save(session: Lwm2mSession): Promise<void> {
    const updatedAt = this.#updatedAt.get(session.endpoint);
    if (updatedAt === undefined) return;
    const { registration } = session;
    const state: StoredRegistration = {
      v: 1,
      deviceId: session.deviceId,
      register: {
        endpoint: registration.endpoint,
        lifetime: registration.lifetimeS,
        version: registration.version,
        bindingMode: registration.binding.raw,
        queueMode: registration.binding.queueMode,
        objectLinks: registrationLinks(registration),
      },
      updatedAt,
      observations: [...session.observations.values()],
      units: Object.fromEntries(session.units),
    };
    const text = JSON.stringify(state);
    if (this.#written.get(session.endpoint) === text) return;
    try {
      await this.#store.save(PROTOCOL, session.endpoint, state as unknown as JsonObject, updatedAt);
      this.#written.set(session.endpoint, text);
    } catch (error) {
      this.#logger.warn({ endpoint: session.endpoint, err: error instanceof Error ? error.message : String(error) }, 'lwm2m: registration not shared');
    }
  }

  /**
   * The registration another instance kept for `endpoint`, unless it expired by `now`. Rejects with
   * STORE_ERROR (`retryable`) when the store cannot be read: the message that needed it is not
   * acknowledged, and the broker sends it again, rather than being handled as from an unknown endpoint.
   */
  async restore(endpoint: string, now: number, expiresAt: (lifetimeS: number, updatedAt: number) => number | undefined): Promise<RestoredRegistration | undefined> {
    let stored: StoredRegistration | undefined;
    try {
      stored = (await this.#store.load(PROTOCOL, endpoint)) as StoredRegistration | undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ endpoint, err: reason }, 'lwm2m: shared registration not read');
      throw new HubError('STORE_ERROR', `shared LwM2M registration not read: ${endpoint}: ${reason}`, { retryable: true });
    }
    if (stored?.v !== 1) return undefined;
    let registration: Registration;
    try {
      registration = parseRegistration(stored.register, this.#model);
    } catch (error) {
      this.#logger.warn({ endpoint, err: error instanceof Error ? error.message : String(error) }, 'lwm2m: shared registration unreadable');
      return undefined;
    }
    const deadline = expiresAt(registration.lifetimeS, stored.updatedAt);
    if (deadline !== undefined && deadline <= now) {
      await this.remove(endpoint);
      return undefined;
    }
    const session = new Lwm2mSession(registration, stored.deviceId);
    for (const observation of stored.observations) session.observations.set(observation.path, observation);
    for (const [key, unit] of Object.entries(stored.units)) session.units.set(key, unit);
    this.#updatedAt.set(endpoint, stored.updatedAt);
    this.#written.set(endpoint, JSON.stringify(stored));
    return { session, updatedAt: stored.updatedAt };
  }

  /** This instance no longer holds the endpoint (another owns it now): forget what it wrote, keep the row. */
  forget(endpoint: string): void {
    this.#updatedAt.delete(endpoint);
    this.#written.delete(endpoint);
  }

  /** The registration ended (De-register, lifetime expired): nobody continues it. */
  async remove(endpoint: string): Promise<void> {
    this.forget(endpoint);
    try {
      await this.#store.remove(PROTOCOL, endpoint);
    } catch (error) {
      this.#logger.warn({ endpoint, err: error instanceof Error ? error.message : String(error) }, 'lwm2m: shared registration not removed');
    }
  }
}
