/**
 * The topology a hub runs in, as createHub composes it: one instance on its own, or one of several
 * instances on one broker and one PostgreSQL schema (a Cluster). Everything createHub does
 * differently as a cluster member goes through here: the registry store, the bus and ingress each
 * protocol sees, the command channels, and adopting a dead instance's broker session.
 */
import type { CommandChannel } from '../core/command-channel.ts';
import type { RegistryStore } from '../core/ports/registry-store.ts';
import type { HubConfig } from '../config/options.ts';
import type { ProtocolContext, ProtocolPlugin, ProtocolRuntime } from '../protocols/protocol-plugin.ts';
import type { Stores } from '../storage/open-stores.ts';
import type { PostgresClusterStore } from '../storage/postgres/postgres-cluster-store.ts';
import { Cluster, type ClusterOptions } from './cluster.ts';
import { clusterStoreOf } from './cluster-mode.ts';
import { adoptSession } from './session-adopter.ts';
import { SharedRegistryStore } from './shared-registry.ts';

/** What the cluster needs of the hub once its bus is connected: the cluster's options less what the topology itself supplies. */
export type HubParts = Omit<ClusterOptions, 'instance' | 'store' | 'leaseMs' | 'adopt'>;

/** How createHub runs: alone, or as one cluster instance. */
export interface HubTopology {
  /** The registry store the registry and the executor write to. */
  readonly registryStore: RegistryStore;
  /** Whether loading the registry keeps the stored statuses (devices other live instances serve stay online). */
  readonly keepStatus: boolean;
  /** Join the cluster (once the bus is connected, before the protocols start); returns the stop. */
  start(parts: HubParts): Promise<() => Promise<void>>;
  /** The context a protocol starts with. */
  protocolContext(plugin: ProtocolPlugin, context: ProtocolContext): ProtocolContext;
  /** The command channel the executor gets for a started protocol. */
  channel(plugin: ProtocolPlugin, runtime: ProtocolRuntime): CommandChannel;
}

/** The topology `config` asks for: a cluster instance with --mqtt-url, --mqtt-shared-group and a postgres:// store; else alone. */
export function hubTopology(config: HubConfig, stores: Stores, instance: string, onStoreError: (error: unknown) => void): HubTopology {
  const store = clusterStoreOf(config, stores, instance);
  if (store === undefined) return alone(stores.registry);
  return clusterInstance(config, store, new SharedRegistryStore(stores.registry, store, instance, onStoreError), instance);
}

function alone(registryStore: RegistryStore): HubTopology {
  return {
    registryStore,
    keepStatus: false,
    start: () => Promise.resolve(() => Promise.resolve()),
    protocolContext: (_plugin, context) => context,
    channel: (_plugin, runtime) => runtime.channel,
  };
}

function clusterInstance(config: HubConfig, store: PostgresClusterStore, registryStore: RegistryStore, instance: string): HubTopology {
  let cluster: Cluster | undefined;
  const started = (): Cluster => {
    if (cluster === undefined) throw new Error('cluster: used before start');
    return cluster;
  };
  return {
    registryStore,
    keepStatus: true,
    async start(parts) {
      const mqttUrl = config.mqttUrl as string;
      const group = config.mqttSharedGroup as string;
      const credentials = adopterCredentials(config, mqttUrl, instance);
      const joined = await Cluster.start({
        ...parts,
        instance,
        store,
        leaseMs: config.clusterLeaseMs,
        // A clean session (expiry 0) leaves nothing queued behind a dead instance: nothing to adopt.
        ...(config.mqttSessionExpiry > 0 && {
          adopt: (dead, { subscriptions, deliver, signal }) =>
            adoptSession({
              url: mqttUrl,
              dead,
              sharedGroup: group,
              subscriptions,
              connection: { ...credentials(dead), sessionExpirySeconds: config.mqttSessionExpiry },
              drainTimeoutMs: Math.max(30_000, 3 * config.clusterLeaseMs),
              logger: parts.logger,
              signal,
              deliver,
            }),
        }),
      });
      cluster = joined;
      return () => joined.stop();
    },
    protocolContext(plugin, context) {
      const joined = started();
      return {
        ...context,
        bus: joined.busFor(plugin.name, plugin.sessions),
        ingress: joined.ingress,
        catchUp: (hardwareId) => joined.follower.catchUp(hardwareId),
        ...(plugin.sessions !== undefined && { sessionStore: store }),
      };
    },
    channel(plugin, runtime) {
      return started().channelFor(plugin.name, runtime.channel, plugin.sessions, {
        ...(runtime.adopt !== undefined && { adopt: runtime.adopt.bind(runtime) }),
        ...(runtime.release !== undefined && { release: runtime.release.bind(runtime) }),
        ...(runtime.replay !== undefined && { replay: runtime.replay.bind(runtime) }),
      });
    },
  };
}

/**
 * The broker credentials to adopt a dead instance's session with. With one broker user per hub
 * instance, named after its client id (Mosquitto `use_username_as_clientid`, as `llm-iot
 * broker-config --hub-users` writes), the adopter logs in as the dead instance's user (the instances
 * share one password); with one user for all hubs, as that user.
 */
export function adopterCredentials(config: Pick<HubConfig, 'mqttUsername' | 'mqttPassword'>, mqttUrl: string, instance: string): (dead: string) => { username?: string; password?: string } {
  let url: URL | undefined;
  try {
    url = new URL(mqttUrl);
  } catch {
    url = undefined;
  }
  const username = config.mqttUsername ?? (url?.username ? decodeURIComponent(url.username) : undefined);
  const password = config.mqttPassword ?? (url?.password ? decodeURIComponent(url.password) : undefined);
  return (dead) => ({
    ...(username !== undefined && { username: username === instance ? dead : username }),
    ...(password !== undefined && { password }),
  });
}
