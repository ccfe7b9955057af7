/**
 * Cluster: N hub instances on one external broker and one PostgreSQL schema behave as one hub
 * (docs/architecture.md, "Scale-out"). The database is the shared state and the membership; the
 * broker carries device traffic (shared subscriptions) and instance-to-instance messages. No
 * consensus of our own: leases on the database clock, rendezvous hashing over the live members.
 */
import type { CommandChannel } from '../core/command-channel.ts';
import type { CommandRecord } from '../core/command.ts';
import type { DeviceIngress } from '../core/device-ingress.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';
import { errorObject } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { LatestValueCache } from '../core/latest-cache.ts';
import { NoSubscribersError, type MqttBus } from '../core/ports/mqtt-bus.ts';
import type { Logger } from '../log/logger.ts';
import type { OwnedSessions } from '../protocols/protocol-plugin.ts';
import type { PostgresClusterStore } from '../storage/postgres/postgres-cluster-store.ts';
import { LoggedBus, type LoggedSubscription } from './logged-bus.ts';
import { flooredIngress, ReplayFloors } from './replay-floors.ts';
import { SessionWindow } from './session-window.ts';
import { takeOverSessions, type SessionHooks } from './session-takeover.ts';
import type { TelemetryStore } from '../core/ports/telemetry-store.ts';
import type { AdoptionOutcome } from './session-adopter.ts';
import { AnswerRouter, routingIngress, type ForwardedAnswer } from './answer-router.ts';
import { answerTopic, decodeRelay, deliverTopic, HUB_PREFIX, instanceFilter } from './instance-topics.ts';
import { Membership } from './membership.ts';
import { OwnedBus } from './owned-bus.ts';
import { OwnedChannel, type RemoteDelivery } from './owned-channel.ts';
import { PgListener } from './pg-listener.ts';
import { rendezvousOwner } from './rendezvous.ts';
import { RegistryFollower, type ClusterNotice } from './shared-registry.ts';
import { TelemetryFanout } from './telemetry-fanout.ts';


export interface ClusterOptions {
  readonly instance: string;
  readonly store: PostgresClusterStore;
  readonly bus: MqttBus;
  readonly registry: DeviceRegistry;
  /** The core ingress (answers forwarded here complete local commands). */
  readonly ingress: DeviceIngress;
  readonly events: EventBus;
  readonly cache: LatestValueCache;
  /** Where a new owner reads what a dead owner stored, so a replay stores nothing twice. */
  readonly telemetry: Pick<TelemetryStore, 'latest'>;
  readonly leaseMs: number;
  readonly logger: Logger;
  readonly now: () => number;
  /**
   * Adopt the broker session of a dead instance with this instance's protocol subscriptions
   * (session-adopter.ts); without it, a dead instance's share waits in the broker for its restart.
   */
  readonly adopt?: (dead: string, parts: AdoptionParts) => Promise<AdoptionOutcome>;
}

/** What an adoption is handed by the cluster. */
export interface AdoptionParts {
  /** This instance's protocol subscriptions: the dead instance made the same ones. */
  readonly subscriptions: readonly LoggedSubscription[];
  /** A command delivery queued for the dead instance: to its device's current owner (never rejects). */
  readonly deliver: (payload: Buffer) => Promise<void>;
  /** Aborted when this instance stops. */
  readonly signal: AbortSignal;
}

/** A protocol as the cluster wires it. */
interface ProtocolEntry {
  readonly bus: OwnedBus;
  channel?: OwnedChannel;
  hooks?: SessionHooks;
  /** Unshared protocols with a window: the recent messages of sessions owned elsewhere. */
  window?: SessionWindow;
}


/** At most this many messages per session are kept for a replay (a window in memory on every non-owner). */
const WINDOW_MAX_PER_KEY = 10_000;
/** At most this many payload bytes of all sessions together (per protocol), the oldest dropped first. */
const WINDOW_MAX_BYTES = 64 * 1024 * 1024;

/**
 * How far back non-owners keep a session's messages, and how long replay floors stay up: a dead
 * owner is replaced within about 1.7 leases (expiry, next read, settling), plus what it held unflushed.
 */
function windowMs(leaseMs: number): number {
  return 2 * leaseMs + 5_000;
}

export class Cluster {
  readonly instance: string;
  readonly membership: Membership;
  readonly follower: RegistryFollower;
  readonly answers: AnswerRouter;
  readonly fanout: TelemetryFanout;
  /** The ingress protocols get: answers no local command waits for go to the waiting instance. */
  readonly ingress: DeviceIngress;
  readonly #o: ClusterOptions;
  readonly #protocols = new Map<string, ProtocolEntry>();
  #listener: PgListener | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #watchTimer: ReturnType<typeof setInterval> | undefined;
  #watching = false;
  /** The bus the protocols subscribe through (its subscriptions are what an adopted session is handed to). */
  readonly #logged: LoggedBus;
  readonly #adopting = new Set<string>();
  readonly #floors: ReplayFloors;
  #adoptRetry: ReturnType<typeof setTimeout> | undefined;
  /** Aborted at stop: adoptions under way end there. */
  readonly #stopping = new AbortController();
  readonly #adoptions = new Set<Promise<void>>();
  /** Owners a relay found gone (logged once each). */
  readonly #goneOwners = new Set<string>();
  #stopped = false;

  private constructor(options: ClusterOptions) {
    this.#o = options;
    this.instance = options.instance;
    this.#logged = new LoggedBus(options.bus);
    const onError = (error: unknown): void => options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'cluster: shared registry notice failed');
    this.follower = new RegistryFollower(options.registry, options.store, onError);
    this.fanout = new TelemetryFanout({
      bus: options.bus,
      events: options.events,
      cache: options.cache,
      instance: options.instance,
      logger: options.logger,
      peersWatching: () => this.membership.peersWatching,
    });
    this.membership = new Membership({
      store: options.store,
      instance: options.instance,
      leaseMs: options.leaseMs,
      logger: options.logger,
      now: options.now,
      watching: () => this.fanout.watching,
      announce: () => void options.store.notify(JSON.stringify({ f: options.instance, k: 'members' } satisfies ClusterNotice)).catch(onError),
    });
    this.answers = new AnswerRouter({
      cluster: options.store,
      instance: options.instance,
      logger: options.logger,
      send: (instance, answer) => options.bus.publish(answerTopic(instance), JSON.stringify(answer), { qos: 1 }),
      onUnmatched: (answer) => options.logger.debug({ commandId: answer.id, from: answer.from }, 'cluster: answer to a command no instance waits for'),
    });
    this.#floors = new ReplayFloors({ telemetry: options.telemetry, ttlMs: windowMs(options.leaseMs), now: options.now });
    this.ingress = routingIngress(flooredIngress(options.ingress, this.#floors), this.answers);
  }

  /** Listen for notices, subscribe to this instance's topic, join the members (before protocols start). */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    await cluster.#start();
    return cluster;
  }

  async #start(): Promise<void> {
    const { store, logger, bus, instance } = this.#o;
    this.#listener = await PgListener.start({
      url: store.url,
      channel: store.channel,
      logger,
      onNotification: (payload) => this.#notice(payload),
      onReconnected: () => {
        this.follower.resync();
        void this.membership.refresh();
      },
    });
    this.#unsubscribe = await bus.subscribe(instanceFilter(instance), (topic, payload) => this.#addressed(topic, payload), { qos: 1, shared: false });
    await this.fanout.start();
    await this.membership.start();
    this.membership.onChange((previous, current) => {
      this.#membersChanged(previous, current);
      void this.#adoptOrphans();
    });
    // A data.subscribe (or MCP resource subscription) here starts the peers' fan-out at once.
    this.#watchTimer = setInterval(() => {
      const watching = this.fanout.watching;
      if (watching === this.#watching) return;
      this.#watching = watching;
      void this.membership.refresh().then(() => store.notify(JSON.stringify({ f: instance, k: 'members' } satisfies ClusterNotice)).catch(() => {}));
    }, 100);
    this.#watchTimer.unref?.();
  }

  /** The bus a protocol with owned sessions sees; the plain bus for one without. */
  busFor(protocol: string, sessions: OwnedSessions | undefined): MqttBus {
    if (sessions === undefined) return this.#logged;
    const window =
      sessions.window === undefined ? undefined : new SessionWindow({ rules: sessions.window, windowMs: windowMs(this.#o.leaseMs), maxPerKey: WINDOW_MAX_PER_KEY, maxBytes: WINDOW_MAX_BYTES, now: this.#o.now });
    const bus = new OwnedBus(this.#logged, {
      protocol,
      ownership: this.membership,
      keyOf: (topic) => sessions.keyOf(topic),
      ...(window !== undefined && { window }),
      onOwnerGone: (owner) => {
        // Logged once per owner; the members' re-read (coalesced) soon sends nothing more its way.
        if (!this.#goneOwners.has(owner)) this.#o.logger.info({ protocol, owner }, 'cluster: relay to an owner whose session is gone handled here; re-reading the members');
        this.#goneOwners.add(owner);
        void this.membership.refresh();
      },
    });
    this.#protocols.set(protocol, { bus, ...(window !== undefined && { window }) });
    return bus;
  }

  /** The command channel the executor gets for a protocol (commands for sessions owned elsewhere go to their owner). */
  channelFor(protocol: string, channel: CommandChannel, sessions: OwnedSessions | undefined, hooks?: SessionHooks): CommandChannel {
    const entry = this.#protocols.get(protocol);
    if (sessions === undefined || entry === undefined) return channel;
    entry.channel = new OwnedChannel(channel, {
      ownership: this.membership,
      forward: (owner, delivery) => this.#o.bus.publish(deliverTopic(owner), JSON.stringify({ ...delivery, f: this.instance }), { qos: 1, requireSubscriber: true }),
      remoteSupports: sessions.remoteSupports ?? ((device) => device.status === 'online'),
    });
    if (hooks !== undefined) entry.hooks = hooks;
    return entry.channel;
  }

  /** Messages other instances sent to this one. */
  #addressed(topic: string, payload: Buffer): Promise<void> | undefined {
    const rest = topic.slice(`${HUB_PREFIX}/${this.instance}/`.length);
    if (rest.startsWith('relay/')) {
      const entry = this.#protocols.get(rest.slice('relay/'.length));
      const relayed = decodeRelay(payload);
      if (entry === undefined || relayed === undefined) return undefined;
      return entry.bus.deliverRelayed(relayed.topic, relayed.payload);
    }
    if (rest === 'answer') {
      const answer = AnswerRouter.parse(payload);
      if (answer !== undefined) this.#o.ingress.completed(answer.id, answer.from, answer.outcome);
      return undefined;
    }
    if (rest === 'deliver') return this.#deliver(payload, 'here');
    return undefined;
  }

  /**
   * A command another instance waits for: to deliver over a session owned here (`here`), or, queued
   * for a dead owner and taken by its adopter (`owner`), to the device's current owner (this instance
   * or, forwarded, another). A failure is answered to the caller's instance.
   */
  async #deliver(payload: Buffer, to: 'here' | 'owner'): Promise<void> {
    let delivery: RemoteDelivery & { f: string };
    try {
      delivery = JSON.parse(payload.toString('utf8')) as RemoteDelivery & { f: string };
    } catch {
      return;
    }
    const command: CommandRecord = delivery.command;
    const fail = (message: string): Promise<void> => {
      const answer: ForwardedAnswer = { id: command.id, from: delivery.targetId, outcome: { error: errorObject('INTERNAL_ERROR', `command delivery failed: ${message}`) } };
      return this.#o.bus.publish(answerTopic(delivery.f), JSON.stringify(answer), { qos: 1 });
    };
    const channel = this.#protocols.get(delivery.protocol)?.channel?.local;
    const target = this.#o.registry.get(delivery.targetId);
    if (channel === undefined || target === undefined) return fail(`instance ${this.instance} cannot carry ${delivery.protocol} to ${delivery.targetId}`);
    try {
      const owner = to === 'owner' ? this.membership.ownerOf(target.hardwareId) : undefined;
      if (owner !== undefined && owner !== this.instance) {
        // Passed on as it came (its caller's instance in `f`); an owner whose session is gone leaves it to this instance.
        const forwarded = await this.#o.bus.publish(deliverTopic(owner), payload, { qos: 1, requireSubscriber: true }).then(
          () => true,
          (error: unknown) => {
            if (error instanceof NoSubscribersError) return false;
            throw error;
          },
        );
        if (forwarded) return;
      }
      await channel.deliver(target, command);
    } catch (error) {
      await fail(error instanceof Error ? error.message : String(error));
    }
  }

  /** A delivery the adopter of a dead instance's session found queued there; never rejects. */
  #redeliver(payload: Buffer): Promise<void> {
    const command = (() => {
      try {
        return (JSON.parse(payload.toString('utf8')) as Partial<RemoteDelivery>).command;
      } catch {
        return undefined;
      }
    })();
    // Its caller gave up (timed out on its own instance): a late actuation nobody waits for is not sent.
    if (command !== undefined && (command.sentAt ?? command.createdAt) + command.timeoutMs <= this.#o.now()) {
      this.#o.logger.info({ commandId: command.id, deviceId: command.deviceId }, 'cluster: command queued for a dead instance expired before its adoption; not delivered');
      return Promise.resolve();
    }
    if (command !== undefined) this.#o.logger.info({ commandId: command.id, deviceId: command.deviceId }, 'cluster: command queued for a dead instance handed to its device\'s owner');
    return this.#deliver(payload, 'owner').catch((error: unknown) =>
      this.#o.logger.warn({ commandId: command?.id, err: error instanceof Error ? error.message : String(error) }, 'cluster: command queued for a dead instance not delivered'),
    );
  }

  #notice(payload: string): void {
    let notice: ClusterNotice;
    try {
      notice = JSON.parse(payload) as ClusterNotice;
    } catch {
      return;
    }
    if (notice.f === this.instance) return;
    if (notice.k === 'members') void this.membership.refresh();
    else this.follower.take(notice);
  }

  /**
   * Sessions this instance now owns among the settled members and did not before: their protocol
   * re-establishes them (Sparkplug rebirth, LwM2M registration read back); sessions it owned and no
   * longer does: their protocol forgets them, the new owner continues them.
   */
  #membersChanged(previous: readonly string[], current: readonly string[]): void {
    for (const [protocol, entry] of this.#protocols) {
      const { adopt, release } = entry.hooks ?? {};
      if (adopt === undefined && release === undefined) continue;
      const takeOver: [key: string, lastTopic: string][] = [];
      for (const [key, lastTopic] of entry.bus.keys) {
        const owned = rendezvousOwner(key, current) === this.instance;
        const was = rendezvousOwner(key, previous) === this.instance;
        if (owned && !was && entry.window !== undefined && entry.hooks?.replay !== undefined) {
          this.#o.logger.info({ protocol, key, members: current }, 'cluster: session now owned here');
          takeOver.push([key, lastTopic]);
        } else if (owned && !was && adopt !== undefined) {
          this.#o.logger.info({ protocol, key, members: current }, 'cluster: session now owned here');
          adopt(key, lastTopic);
        } else if (!owned && was && release !== undefined) {
          this.#o.logger.info({ protocol, key, members: current }, 'cluster: session now owned by another instance');
          release(key);
        }
      }
      if (takeOver.length > 0) {
        const { bus, window, hooks = {} } = entry;
        if (window !== undefined) {
          void takeOverSessions({ protocol, bus, window, hooks, floors: this.#floors, devicesOf: (key) => this.#sessionDevices(key), logger: this.#o.logger }, takeOver);
        }
      }
    }
  }

  /** The device ids of a session key (a hardware id): its device and everything attached below it. */
  #sessionDevices(key: string): string[] {
    const root = this.#o.registry.getByHardwareId(key);
    if (root === undefined) return [];
    const ids: string[] = [];
    const walk = (id: string): void => {
      if (ids.includes(id)) return;
      ids.push(id);
      for (const child of this.#o.registry.children(id)) walk(child.id);
    };
    walk(root.id);
    return ids;
  }

  /**
   * Members whose lease expired (they died; a clean stop leaves): the one survivor that owns the dead
   * instance's id among the settled members adopts its broker session, then forgets its row. A failed
   * adoption is tried again a lease later; a dead instance that came back keeps its session.
   */
  async #adoptOrphans(): Promise<void> {
    const adopt = this.#o.adopt;
    if (adopt === undefined || this.#stopped) return;
    let expired: string[];
    try {
      expired = await this.#o.store.expiredMembers();
    } catch (error) {
      this.#o.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'cluster: expired members not read');
      return;
    }
    const members = this.membership.settled;
    for (const dead of expired) {
      if (dead === this.instance || this.#adopting.has(dead) || members.includes(dead) || rendezvousOwner(dead, members) !== this.instance) continue;
      this.#adopting.add(dead);
      const adoption = this.#adopt(dead, adopt).finally(() => {
        this.#adopting.delete(dead);
        this.#adoptions.delete(adoption);
      });
      this.#adoptions.add(adoption);
    }
  }

  async #adopt(dead: string, adopt: NonNullable<ClusterOptions['adopt']>): Promise<void> {
    const { logger, now, store } = this.#o;
    const started = now();
    logger.info({ dead }, 'cluster: adopting the broker session of a dead instance');
    const outcome = await adopt(dead, { subscriptions: this.#logged.subscriptions, deliver: (payload) => this.#redeliver(payload), signal: this.#stopping.signal });
    const fields = { dead, messages: outcome.messages, ms: now() - started };
    if (outcome.kind === 'drained') {
      logger.info(fields, 'cluster: dead instance session drained and ended');
      await store.forgetExpired(dead).catch((error: unknown) => logger.warn({ dead, err: String(error) }, 'cluster: adopted member not forgotten'));
    } else if (outcome.kind === 'taken-over') {
      logger.info(fields, 'cluster: dead instance came back and took its session; adoption stopped');
    } else {
      if (this.#stopped) {
        logger.info({ ...fields, err: outcome.error }, 'cluster: session adoption ended by the stop');
        return;
      }
      logger.warn({ ...fields, err: outcome.error }, 'cluster: session adoption failed; trying again');
      if (this.#adoptRetry !== undefined) return;
      this.#adoptRetry = setTimeout(() => {
        this.#adoptRetry = undefined;
        void this.#adoptOrphans();
      }, this.#o.leaseMs);
      this.#adoptRetry.unref?.();
    }
  }

  /** Leave the members at once and stop listening. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#adoptRetry !== undefined) clearTimeout(this.#adoptRetry);
    this.#stopping.abort();
    await Promise.allSettled([...this.#adoptions]);
    if (this.#watchTimer !== undefined) clearInterval(this.#watchTimer);
    await this.membership.stop();
    await this.fanout.stop();
    await this.#unsubscribe?.();
    await this.#listener?.close();
  }
}
