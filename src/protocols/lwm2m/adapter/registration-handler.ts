// Register, Update and De-register over MQTT (Core TS 1.2 §6.2): sessions, lifetimes, devices and acknowledgements.
import type { Logger } from '../../../log/logger.ts';
import type { ObjectModel } from '../object-model.ts';
import { parseRegistration } from '../registration.ts';
import { entriesFromObjects } from './content-values.ts';
import { registrationLocation } from './device-mapping.ts';
import type { Lwm2mDeviceSync } from './device-sync.ts';
import type { LifetimeTracker } from './lifetime-tracker.ts';
import { Lwm2mSession, type Observation } from './lwm2m-session.ts';
import { applyUpdate } from './registration-update.ts';
import { rejectionReason } from './rejection-reason.ts';

/** Acknowledgement msgTypes on `dn` (the EMQX gateway's register / update event names). */
export type AckType = 'register' | 'update' | 'deregister' | 'error';

/** What the handler needs from the adapter. */
export interface RegistrationHandlerOptions {
  readonly sessions: Map<string, Lwm2mSession>;
  readonly sync: Lwm2mDeviceSync;
  readonly lifetimes: LifetimeTracker;
  readonly model: ObjectModel;
  readonly logger: Logger;
  /** Publish `{msgType, data:{code, codeMsg, …}}` on `lwm2m/{ep}/dn`. */
  readonly ack: (endpoint: string, msgType: AckType, code: string, data?: Record<string, unknown>) => void;
  readonly reject: (reason: string, endpoint: string, detail: string) => void;
  readonly touch: (deviceId: string) => void;
  /** End a session: device offline, its pending commands failed, its requests forgotten. */
  readonly endSession: (session: Lwm2mSession, reason: string) => void;
  /** Observe `observations` again after a re-registration (Core TS 1.2 §6.3: the server re-initiates them). */
  readonly reobserve: (session: Lwm2mSession, observations: readonly Observation[]) => void;
}

/** Handles `lwm2m/{ep}/reg`, `/update` and `/dereg`; called one message at a time per endpoint. */
export class RegistrationHandler {
  readonly #o: RegistrationHandlerOptions;

  constructor(options: RegistrationHandlerOptions) {
    this.#o = options;
  }

  /** Register: a valid registration creates or refreshes the device and answers 2.01 with `/rd/{ep}`. */
  async register(endpoint: string, payload: Buffer): Promise<void> {
    const { sessions, sync, lifetimes, model } = this.#o;
    let registration;
    try {
      registration = parseRegistration(payload, model);
    } catch (error) {
      return this.#refuse(endpoint, 'register', error);
    }
    if (registration.endpoint !== endpoint) {
      this.#o.reject('endpoint_mismatch', endpoint, `registration for ${JSON.stringify(registration.endpoint)} published on lwm2m/${endpoint}/reg`);
      return this.#o.ack(endpoint, 'register', '4.00', { reason: `endpoint ${JSON.stringify(registration.endpoint)} does not match the topic's ${JSON.stringify(endpoint)}` });
    }
    let mcu;
    try {
      mcu = await sync.registerEndpoint(registration);
    } catch (error) {
      return this.#refuse(endpoint, 'register', error);
    }
    const previous = sessions.get(endpoint);
    const session = new Lwm2mSession(registration, mcu.id);
    if (previous !== undefined) {
      // A re-registration keeps the observations (re-initiated below) and a firmware update under way:
      // devices commonly re-register after installing a new image.
      for (const [path, observation] of previous.observations) session.observations.set(path, observation);
      for (const [key, unit] of previous.units) session.units.set(key, unit);
      session.firmware = previous.firmware;
    }
    sessions.set(endpoint, session);
    lifetimes.renew(endpoint, registration.lifetimeS);
    sync.storeRegistrationValues(session, registration);
    this.#o.ack(endpoint, 'register', '2.01', { location: registrationLocation(endpoint) });
    this.#o.logger.info({ endpoint, deviceId: mcu.id, lifetimeS: registration.lifetimeS, objects: registration.objects.length, reregistered: previous !== undefined }, 'lwm2m: registered');
    if (previous !== undefined && session.observations.size > 0) this.#o.reobserve(session, [...session.observations.values()]);
  }

  /** Update: renews the lifetime and merges new values and objects; 4.04 when not registered. */
  async update(endpoint: string, payload: Buffer): Promise<void> {
    const { sessions, sync, lifetimes, model } = this.#o;
    const session = sessions.get(endpoint);
    if (session === undefined) return this.#notRegistered(endpoint, 'update');
    let outcome;
    try {
      outcome = applyUpdate(payload, session.registration, model);
    } catch (error) {
      return this.#refuse(endpoint, 'update', error);
    }
    if (outcome.objectsChanged || outcome.lifetimeChanged) {
      try {
        await sync.registerEndpoint(outcome.registration, true);
      } catch (error) {
        return this.#refuse(endpoint, 'update', error);
      }
    }
    session.registration = outcome.registration;
    this.#o.touch(session.deviceId);
    lifetimes.renew(endpoint, outcome.registration.lifetimeS);
    if (outcome.reported.length > 0) {
      const entries = entriesFromObjects(outcome.reported);
      session.rememberUnits(entries);
      sync.store(session, entries);
      session.firmware?.onValues(entries);
    }
    this.#o.ack(endpoint, 'update', '2.04');
  }

  /** De-register: the device goes offline and is kept (with its history); 2.02, or 4.04 when not registered. */
  deregister(endpoint: string): void {
    const session = this.#o.sessions.get(endpoint);
    if (session === undefined) return this.#notRegistered(endpoint, 'deregister');
    this.#o.endSession(session, 'de-registered');
    this.#o.ack(endpoint, 'deregister', '2.02');
    this.#o.logger.info({ endpoint, deviceId: session.deviceId }, 'lwm2m: de-registered');
  }

  /** The lifetime passed without an Update: the registration ends and the device goes offline. */
  expire(endpoint: string): void {
    const session = this.#o.sessions.get(endpoint);
    if (session === undefined) return;
    this.#o.endSession(session, `registration expired (lifetime ${session.registration.lifetimeS} s)`);
    this.#o.logger.info({ endpoint, deviceId: session.deviceId, lifetimeS: session.registration.lifetimeS }, 'lwm2m: registration expired');
  }

  #notRegistered(endpoint: string, msgType: 'update' | 'deregister'): void {
    this.#o.reject('not_registered', endpoint, `${msgType} without a registration`);
    this.#o.ack(endpoint, msgType, '4.04', { reason: `no registration for endpoint ${JSON.stringify(endpoint)}: register first` });
  }

  #refuse(endpoint: string, msgType: 'register' | 'update', error: unknown): void {
    const reason = rejectionReason(error);
    if (reason === 'internal_error') {
      this.#o.logger.error({ err: error, endpoint }, `lwm2m: ${msgType} failed`);
      this.#o.reject(reason, endpoint, error instanceof Error ? error.message : String(error));
      return this.#o.ack(endpoint, msgType, '5.00', { reason: `${msgType} could not be stored` });
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#o.reject(reason, endpoint, message);
    this.#o.ack(endpoint, msgType, '4.00', { reason: message });
  }
}
