/**
 * SharedRegistryStore and the notices that keep every instance's registry cache current: PostgreSQL
 * stays the source of truth; each device write is followed by a NOTIFY carrying the record (or only
 * its id when the record is too large for a notification), and each listening instance applies it
 * to its own working set. A pending command's record also names the instance that waits for it.
 */
import type { CommandRecord } from '../core/command.ts';
import type { Device } from '../core/device.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';
import type { CommandFilter, RegistryStore } from '../core/ports/registry-store.ts';
import type { PostgresClusterStore } from '../storage/postgres/postgres-cluster-store.ts';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; leave room for the envelope. */
const MAX_NOTICE_BYTES = 7_500;

/** What instances tell each other over NOTIFY. `f` is the sender. */
export type ClusterNotice =
  | { readonly f: string; readonly k: 'device'; readonly d: Device }
  | { readonly f: string; readonly k: 'devices'; readonly ids: readonly string[] }
  | { readonly f: string; readonly k: 'members' };

export class SharedRegistryStore implements RegistryStore {
  readonly #inner: RegistryStore;
  readonly #cluster: PostgresClusterStore;
  readonly #instance: string;
  readonly #onError: (error: unknown) => void;

  constructor(inner: RegistryStore, cluster: PostgresClusterStore, instance: string, onError: (error: unknown) => void) {
    this.#inner = inner;
    this.#cluster = cluster;
    this.#instance = instance;
    this.#onError = onError;
  }

  loadDevices(): Promise<Device[]> {
    return this.#inner.loadDevices();
  }

  /** Save, then tell the other instances (awaited: a device's answer goes out after peers were told). */
  async saveDevice(device: Device): Promise<void> {
    await this.#inner.saveDevice(device);
    let text = JSON.stringify({ f: this.#instance, k: 'device', d: device } satisfies ClusterNotice);
    if (Buffer.byteLength(text) > MAX_NOTICE_BYTES) text = JSON.stringify({ f: this.#instance, k: 'devices', ids: [device.id] } satisfies ClusterNotice);
    await this.#cluster.notify(text).catch(this.#onError);
  }

  deleteDevice(id: string): Promise<void> {
    return this.#inner.deleteDevice(id);
  }

  /** A new command also records this instance as the one waiting for its answer. */
  async saveCommand(command: CommandRecord): Promise<void> {
    if (command.state === 'pending') await this.#cluster.routeCommand(command.id, this.#instance, command.createdAt).catch(this.#onError);
    await this.#inner.saveCommand(command);
  }

  getCommand(id: string): Promise<CommandRecord | undefined> {
    return this.#inner.getCommand(id);
  }

  listCommands(filter?: CommandFilter): Promise<CommandRecord[]> {
    return this.#inner.listCommands(filter);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Applies other instances' device notices to the local registry. */
export class RegistryFollower {
  readonly #registry: DeviceRegistry;
  readonly #cluster: PostgresClusterStore;
  readonly #onError: (error: unknown) => void;
  /** Device notices applied (tests, metrics). */
  applied = 0;

  constructor(registry: DeviceRegistry, cluster: PostgresClusterStore, onError: (error: unknown) => void) {
    this.#registry = registry;
    this.#cluster = cluster;
    this.#onError = onError;
  }

  /** A notice about devices from another instance. */
  take(notice: ClusterNotice): void {
    if (notice.k === 'device') {
      this.#registry.applyRemote(notice.d);
      this.applied++;
    } else if (notice.k === 'devices') {
      this.#load(notice.ids);
    }
  }

  /** Read devices back from the database (all of them after a lost LISTEN connection). */
  #load(ids?: readonly string[]): void {
    this.#cluster.devices(ids).then(
      (devices) => {
        for (const device of devices) this.#registry.applyRemote(device);
        this.applied += devices.length;
      },
      this.#onError,
    );
  }

  /** Notifications may have been missed: reload every device. */
  resync(): void {
    this.#load();
  }

  /** A device this instance does not know yet (a message overtook its registration's notice): read it now. */
  async catchUp(hardwareId: string): Promise<boolean> {
    const device = await this.#cluster.deviceByHardwareId(hardwareId);
    if (device === undefined) return false;
    this.#registry.applyRemote(device);
    // Its attached devices, registered alongside it.
    const children = (await this.#cluster.devices()).filter((d) => d.parentId === device.id);
    for (const child of children) this.#registry.applyRemote(child);
    return true;
  }
}
