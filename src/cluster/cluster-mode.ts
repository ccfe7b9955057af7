/** Whether a hub runs as one of several instances (src/cluster/): an external broker, a shared-subscription group and PostgreSQL. */
import type { HubConfig } from '../config/options.ts';
import type { Stores } from '../storage/open-stores.ts';
import type { PostgresClusterStore } from '../storage/postgres/postgres-cluster-store.ts';
import { assertInstanceId } from './instance-topics.ts';

/**
 * The cluster store when this hub is one of several instances, else undefined. Instances that share
 * a group split device traffic, so they must share state: the group alone, without PostgreSQL, is refused.
 */
export function clusterStoreOf(config: HubConfig, stores: Stores, instance: string): PostgresClusterStore | undefined {
  if (config.mqttUrl === undefined || config.mqttSharedGroup === undefined) return undefined;
  if (stores.cluster === undefined) {
    throw new Error('--mqtt-shared-group needs a postgres:// store (--store): hub instances that split device traffic share their state there');
  }
  assertInstanceId(instance);
  return stores.cluster;
}
