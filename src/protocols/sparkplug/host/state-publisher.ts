/**
 * The Host Application's STATE on the broker: the online birth once the namespace is subscribed,
 * again after every reconnection and whenever someone says this host is offline, and the offline
 * STATE once at shutdown (Sparkplug 3.0 §6.4.18, [tck-id-host-topic-phid-birth-required]).
 */
import type { MessageMeta, MqttBus } from '../../../core/ports/mqtt-bus.ts';
import type { Logger } from '../../../log/logger.ts';
import type { HostContext } from './host-context.ts';
import { parseStatePayload, type HostStateMessages } from './host-state.ts';

export interface StatePublisherOptions {
  readonly bus: MqttBus;
  readonly state: HostStateMessages;
  readonly logger: Logger;
  readonly reject: HostContext['reject'];
}

export class StatePublisher {
  readonly #o: StatePublisherOptions;
  #offConnected: (() => void) | undefined;
  #offlineSent: Promise<void> | undefined;
  #started = false;
  #stopping = false;

  constructor(options: StatePublisherOptions) {
    this.#o = options;
  }

  get hostId(): string {
    return this.#o.state.hostId;
  }

  /**
   * Publish the STATE birth (after the namespace subscription: [tck-id-message-flow-phid-sparkplug-subscription]):
   * QoS 1, retained ([tck-id-host-topic-phid-birth-qos], [tck-id-host-topic-phid-birth-retain]), with the
   * will's timestamp ([tck-id-host-topic-phid-birth-payload-timestamp]); again after each reconnection.
   */
  async online(): Promise<void> {
    await this.#publishOnline();
    this.#started = true;
    // Every reconnection is a new session for the broker (and maybe a restarted broker that lost the
    // retained STATE): birth again, after the bus has resubscribed ([tck-id-host-topic-phid-birth-required]).
    this.#offConnected = this.#o.bus.onConnected?.(() => this.#republishOnline('MQTT connection re-established'));
  }

  /**
   * Publish the offline STATE ([tck-id-operational-behavior-host-application-termination]: QoS 1,
   * retained, the will's timestamp) and stop republishing the online one; once.
   */
  offline(): Promise<void> {
    this.#stopping = true;
    this.#offConnected?.();
    if (!this.#started) return Promise.resolve();
    this.#offlineSent ??= this.#o.bus.publish(this.#o.state.topic, this.#o.state.offline(), { qos: 1, retain: true }).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, hostId: this.hostId }, 'sparkplug: offline STATE not published');
    });
    return this.#offlineSent;
  }

  /** A STATE message: another client (or the broker, as our will) said we are offline: say we are online again ([tck-id-message-flow-hid-sparkplug-state-message-delivered]). */
  onState(hostId: string, payload: Buffer, meta: MessageMeta): void {
    if (hostId !== this.hostId) return;
    // Embedded broker: only the hub publishes its STATE (its own publishes carry no client id). Whatever
    // a client published there, online or offline, the hub's own STATE replaces it as the retained one.
    if (meta.clientId !== undefined) {
      this.#o.reject('foreign_state', {}, `STATE for host ${hostId} published by client ${meta.clientId}`);
      return this.#republishOnline(`STATE for this host published by client ${meta.clientId}`);
    }
    const state = parseStatePayload(payload);
    if (state === undefined || state.online) return;
    this.#republishOnline(`offline STATE (timestamp ${state.timestamp}) for this host seen`);
  }

  async #publishOnline(): Promise<void> {
    await this.#o.bus.publish(this.#o.state.topic, this.#o.state.online(), { qos: 1, retain: true });
  }

  #republishOnline(why: string): void {
    if (this.#stopping || !this.#started) return;
    this.#o.logger.info({ hostId: this.hostId, why }, 'sparkplug: republishing online STATE');
    this.#publishOnline().catch((error: unknown) => this.#o.logger.warn({ err: error, hostId: this.hostId }, 'sparkplug: online STATE not republished'));
  }
}
