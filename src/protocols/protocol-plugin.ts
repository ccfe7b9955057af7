/** ProtocolPlugin: one device protocol as a plug-in — its adapter, command channel, own JSON-RPC methods and options. */
import type { DeviceIngress, DeviceLookup } from '../core/device-ingress.ts';
import type { CommandChannel } from '../core/command-channel.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { MqttBus, QoS } from '../core/ports/mqtt-bus.ts';
import type { SessionStore } from '../core/ports/session-store.ts';
import type { HubServices } from '../app/services.ts';
import type { HubConfig, OptionSpec } from '../config/options.ts';
import type { Logger } from '../log/logger.ts';
import type { HubMetrics, ProtocolMetricLabels } from '../metrics/hub-metrics.ts';
import type { IncomingResponse, RpcDispatcher } from '../rpc/dispatcher.ts';
import type { CallContext, MethodDefinition } from '../rpc/method.ts';
import type { Device, JsonObject } from '../core/device.ts';

/** The last will of the hub's own MQTT connection (Sparkplug: the host's offline STATE). */
export interface HubWill {
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly qos?: QoS;
  readonly retain?: boolean;
}

/** What a protocol's adapter is wired to: the bus, the one device port, and the hub's shared parts. */
export interface ProtocolContext {
  readonly config: HubConfig;
  readonly bus: MqttBus;
  /** Read side of the fleet; every change goes through `ingress`. */
  readonly registry: DeviceLookup;
  readonly ingress: DeviceIngress;
  readonly events: EventBus;
  /** The hub's JSON-RPC dispatcher, for protocols whose devices call hub methods (native). */
  readonly dispatcher: RpcDispatcher;
  readonly logger: Logger;
  readonly metrics: HubMetrics;
  readonly now: () => number;
  /**
   * Scale-out: read a device this instance does not know yet from the shared store (its message
   * overtook the notice of its registration by another instance). Resolves whether it exists.
   */
  readonly catchUp?: (hardwareId: string) => Promise<boolean>;
  /** Scale-out: where session state lives so the next owner of a session continues it (LwM2M registrations). */
  readonly sessionStore?: SessionStore;
}

/** A started protocol: the channel the executor routes commands through, and how to stop it. */
export interface ProtocolRuntime {
  readonly channel: CommandChannel;
  /**
   * Tell peers the hub is leaving (Sparkplug: the offline STATE) while the listeners are still
   * open, so devices connected to the embedded broker receive it; the first shutdown step.
   */
  goingOffline?(): Promise<void>;
  /** Unsubscribe and release timers; called at hub shutdown, before the bus closes. */
  stop(): Promise<void>;
  /** A JSON-RPC response a device sent to the dispatcher (the answer to a command this protocol carried). */
  handleResponse?(message: IncomingResponse, context: CallContext): void;
  /** A device's JSON-RPC notification failed: nobody gets an answer, so the protocol logs and counts it. */
  notificationFailed?(method: string, error: unknown, context: CallContext): void;
  /**
   * Scale-out: this instance now owns the session `key` (a hardware id) another instance owned, or
   * that had no owner: re-establish it (Sparkplug: ask the edge node to rebirth). `lastTopic`: the
   * last device topic seen for it (Sparkplug: names the group).
   */
  adopt?(key: string, lastTopic: string): void;
  /**
   * Scale-out: another instance owns the session `key` now (an instance joined): forget it here
   * without ending it for the device (no offline, no de-registration); the new owner continues it.
   */
  release?(key: string): void;
  /**
   * Scale-out: the messages of session `key` that other instances kept while its dead owner could
   * no longer store them, in arrival order; handle them as if they had come now, before the live ones
   * (the cluster holds those back meanwhile). Points the dead owner committed are dropped on the way.
   */
  replay?(key: string, messages: readonly ReplayedMessage[]): void;
}

/** Scale-out: how a protocol's device sessions are owned (ProtocolPlugin.sessions; src/cluster/). */
export interface OwnedSessions {
  /** The session key (a hardware id) of a device topic; undefined: any instance handles the message. */
  keyOf(topic: string): string | undefined;
  /**
   * Whether the channel carries `method` to a device whose session another instance owns (the local
   * channel cannot look at that session); default: the device is online.
   */
  remoteSupports?: (device: Device, method: string, params?: JsonObject) => boolean;
  /**
   * Unshared protocols (every instance gets every message): which messages start a session and stay
   * with it, so non-owners keep a window of each session's messages and a new owner replays them
   * (ProtocolRuntime.replay) after its owner died.
   */
  window?: {
    /** The message starts a new session (Sparkplug NBIRTH). */
    starts(topic: string): boolean;
    /** The message stays while its session lasts, the latest per topic (Sparkplug DBIRTH). */
    keeps(topic: string): boolean;
  };
}

/** A message of a session's window, as a new owner replays it (src/cluster/session-window.ts). */
export interface ReplayedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** Messages before it were dropped from the window: continue the session's order from this one. */
  readonly resume: boolean;
}

/** One hub's instance of a protocol, made before the bus connects. */
export interface ProtocolInstance {
  /** A will the hub's own MQTT connection must carry; at most one protocol may set one. */
  readonly will?: HubWill;
  /** The protocol's own JSON-RPC methods (e.g. lwm2m.read), registered beside the hub's. */
  methods(services: HubServices): readonly MethodDefinition[];
  /** Wire the adapter to the bus and core; resolves once its subscriptions are acknowledged. */
  start(context: ProtocolContext): Promise<ProtocolRuntime>;
}

/**
 * A device protocol. `hub.ts` composes a list of these (src/plugins.ts); adding a protocol is one
 * folder under `protocols/` exporting one, plus one line in that list.
 */
export interface ProtocolPlugin {
  /** "native", "lwm2m", "sparkplug": the name devices carry in `protocols`. */
  readonly name: string;
  /** The protocol's rows of the hub's options table (flags, LLMIOT_* variables, config-file keys, --help). */
  readonly options: readonly OptionSpec[];
  /** Message types and rejection reasons it counts, pre-initialised at 0 so the first of each is seen by increase(). */
  readonly metricLabels: ProtocolMetricLabels;
  create(config: HubConfig, now: () => number): ProtocolInstance;
  /**
   * Scale-out: the protocol keeps per-device session state (seq order, a registration), so each
   * device's session has one owning instance, and messages and commands for it go there
   * (src/cluster/). Absent: any instance handles any message (native).
   */
  readonly sessions?: OwnedSessions;
}
