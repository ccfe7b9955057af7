/** DeviceRegistry: the in-memory fleet, written through to a RegistryStore, emitting lifecycle events. */
import type { RegistryStore } from './ports/registry-store.ts';
import { deviceIdFor } from './device-id.ts';
import { matchesFilter, sameText, type DeviceFilter } from './device-filter.ts';
import type { Device, DeviceProtocol, DeviceStatus, DeviceType, JsonObject, OperatorField } from './device.ts';
import { HubError } from './errors.ts';
import type { EventBus } from './event-bus.ts';

export interface RegistrationInput {
  readonly hardwareId: string;
  readonly type: DeviceType;
  readonly parentId: string | null;
  readonly staticSchema: JsonObject;
  readonly schemaVersion: string;
  readonly protocol: DeviceProtocol;
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly zone?: string | null;
  readonly heartbeatIntervalMs?: number | null;
  readonly dynamicState?: JsonObject;
}

/** What `updateMetadata` may change; null clears zone or description. */
export interface MetadataPatch {
  readonly name?: string;
  readonly zone?: string | null;
  readonly tags?: readonly string[];
  readonly description?: string | null;
}

export interface RegistryOptions {
  readonly store: RegistryStore;
  readonly events: EventBus;
  readonly now?: () => number;
  /** Called when a write-through to the store fails (the in-memory state stays authoritative). */
  readonly onStoreError?: (error: unknown) => void;
  /** Devices kept at most, deregistered ones included; a new hardware id beyond is LIMIT_REACHED. Default: no limit. */
  readonly maxDevices?: number;
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.length > 0 ? value : fallback);

export class DeviceRegistry {
  readonly #byId = new Map<string, Device>();
  readonly #byHardwareId = new Map<string, string>();
  /**
   * Every device id in list order (name, then id), and each id's place in it, so a list walks it, or
   * sorts a few candidates by place, instead of sorting the fleet; undefined after a device was
   * added, removed or renamed, rebuilt by the next list.
   */
  #order: { readonly ids: string[]; readonly rank: Map<string, number> } | undefined;
  /** Device ids by zone as stored: a zone filter reads only the devices of the zones it names. */
  readonly #byZone = new Map<string | null, Set<string>>();
  /** Device ids by parent MCU: an MCU's attached devices (device.get's `attached`) without walking the fleet. */
  readonly #byParent = new Map<string, Set<string>>();
  /** Devices whose lastSeen changed since the last flush: persisted in bulk, not per message. */
  readonly #dirty = new Set<string>();
  /** Children taken offline because their MCU went offline; they come back with it. */
  readonly #offlineWithParent = new Set<string>();
  readonly #store: RegistryStore;
  readonly #events: EventBus;
  readonly #now: () => number;
  readonly #onStoreError: (error: unknown) => void;
  readonly #maxDevices: number;

  constructor(options: RegistryOptions) {
    this.#maxDevices = options.maxDevices ?? Number.POSITIVE_INFINITY;
    this.#store = options.store;
    this.#events = options.events;
    this.#now = options.now ?? Date.now;
    this.#onStoreError = options.onStoreError ?? (() => {});
  }

  /**
   * Load every stored device. Devices come back `offline` until they speak again; with `keepStatus`
   * (an instance joining others that share the store) as stored, and the liveness monitor ends those
   * that fell silent.
   */
  async load(options: { keepStatus?: boolean } = {}): Promise<void> {
    for (const stored of await this.#store.loadDevices()) {
      const device = stored.status === 'online' && options.keepStatus !== true ? { ...stored, status: 'offline' as const } : stored;
      this.#put(device);
      this.#byHardwareId.set(device.hardwareId, device.id);
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): Device | undefined {
    return this.#byId.get(id);
  }

  getByHardwareId(hardwareId: string): Device | undefined {
    const id = this.#byHardwareId.get(hardwareId);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** The device, or DEVICE_NOT_FOUND naming the id (deregistered devices count as not found). */
  require(id: string): Device {
    const device = this.#byId.get(id);
    if (!device || device.status === 'deregistered') {
      throw new HubError('DEVICE_NOT_FOUND', `device not found: ${id}`, { device_id: id });
    }
    return device;
  }

  /** The devices `filter` selects, by name then id. */
  list(filter: DeviceFilter = {}): Device[] {
    const out: Device[] = [];
    const candidates = this.#candidates(filter);
    if (candidates === undefined) {
      for (const id of this.#ordered().ids) {
        const device = this.#byId.get(id);
        if (device !== undefined && matchesFilter(device, filter)) out.push(device);
      }
      return out;
    }
    // The devices of one zone or one MCU: checked and sorted by their place in the list order, the rest of the fleet never visited.
    for (const id of candidates) {
      const device = this.#byId.get(id);
      if (device !== undefined && matchesFilter(device, filter)) out.push(device);
    }
    if (out.length < 2) return out;
    const { rank } = this.#ordered();
    return out.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  }

  /** The ids a zone or parent filter allows (the smaller set when both are given), undefined when neither is. */
  #candidates(filter: DeviceFilter): ReadonlySet<string> | undefined {
    const inZone = filter.zone === undefined ? undefined : this.#inZone(filter.zone);
    const children = filter.parentId === undefined ? undefined : (this.#byParent.get(filter.parentId) ?? new Set<string>());
    if (inZone === undefined || children === undefined) return inZone ?? children;
    return inZone.size <= children.size ? inZone : children;
  }

  /** Ids of the devices in zones equal to `zone` as filters compare it (case-insensitive): a handful of zones, each compared once. */
  #inZone(zone: string): Set<string> {
    const ids = new Set<string>();
    for (const [name, members] of this.#byZone) if (name !== null && sameText(name, zone)) for (const id of members) ids.add(id);
    return ids;
  }

  #ordered(): { readonly ids: string[]; readonly rank: Map<string, number> } {
    if (this.#order === undefined) {
      const ids = [...this.#byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)).map((d) => d.id);
      this.#order = { ids, rank: new Map(ids.map((id, i) => [id, i])) };
    }
    return this.#order;
  }

  /** Every change of the working set goes through here, keeping the list order and the zone index. */
  #put(device: Device): void {
    const previous = this.#byId.get(device.id);
    this.#byId.set(device.id, device);
    if (previous?.name !== device.name) this.#order = undefined;
    if (previous === undefined || previous.zone !== device.zone) {
      if (previous !== undefined) this.#unzone(previous);
      let members = this.#byZone.get(device.zone);
      if (members === undefined) this.#byZone.set(device.zone, (members = new Set()));
      members.add(device.id);
    }
    if (previous?.parentId !== device.parentId) {
      if (previous !== undefined) this.#unparent(previous);
      if (device.parentId !== null) {
        let siblings = this.#byParent.get(device.parentId);
        if (siblings === undefined) this.#byParent.set(device.parentId, (siblings = new Set()));
        siblings.add(device.id);
      }
    }
  }

  #remove(id: string): void {
    const previous = this.#byId.get(id);
    if (previous === undefined) return;
    this.#byId.delete(id);
    this.#order = undefined;
    this.#unzone(previous);
    this.#unparent(previous);
  }

  #unzone(device: Device): void {
    const members = this.#byZone.get(device.zone);
    members?.delete(device.id);
    if (members?.size === 0) this.#byZone.delete(device.zone);
  }

  #unparent(device: Device): void {
    if (device.parentId === null) return;
    const siblings = this.#byParent.get(device.parentId);
    siblings?.delete(device.id);
    if (siblings?.size === 0) this.#byParent.delete(device.parentId);
  }

  /** The devices attached to `parentId`, in list order (deregistered ones only through an explicit status filter of list). */
  children(parentId: string): Device[] {
    return this.list({ parentId });
  }

  /** Register or re-register; the UUID is derived from the hardware id, so it never changes. */
  async register(input: RegistrationInput): Promise<{ device: Device; created: boolean }> {
    const id = deviceIdFor(input.hardwareId);
    const existing = this.#byId.get(id);
    if (existing === undefined && this.#byId.size >= this.#maxDevices) {
      // Known devices (and deregistered ones, whose records and history are kept) re-register freely.
      throw new HubError('LIMIT_REACHED', `device refused: the hub already keeps ${this.#maxDevices} devices (--max-devices): ${input.hardwareId}`, {
        limit: 'max_devices',
        max: this.#maxDevices,
      });
    }
    const parent = input.parentId === null ? undefined : this.require(input.parentId);
    const now = this.#now();
    const protocols = existing?.protocols.includes(input.protocol)
      ? existing.protocols
      : [...(existing?.protocols ?? []), input.protocol];
    // One device, several protocols: a registration through one protocol adds to what the others
    // announced (e.g. LwM2M's object 3 and Sparkplug's BIRTH metrics) instead of replacing it.
    const otherProtocols = existing !== undefined && existing.status !== 'deregistered' && existing.protocols.some((p) => p !== input.protocol);
    const staticSchema = otherProtocols ? { ...existing.staticSchema, ...input.staticSchema } : input.staticSchema;
    // What an operator set (device.update) outlives the device's own re-registrations and rebirths.
    const pinned = (field: OperatorField): boolean => existing?.operatorFields?.includes(field) === true;
    const device: Device = {
      id,
      hardwareId: input.hardwareId,
      type: input.type,
      parentId: input.parentId,
      name: pinned('name') && existing ? existing.name : (input.name ?? existing?.name ?? defaultName(input)),
      manufacturer: text(staticSchema['manufacturer'], existing?.manufacturer ?? 'unknown'),
      model: text(staticSchema['model'], existing?.model ?? 'unknown'),
      schemaVersion: input.schemaVersion,
      staticSchema,
      dynamicState: input.dynamicState ?? existing?.dynamicState ?? {},
      tags: pinned('tags') && existing ? existing.tags : (input.tags ?? existing?.tags ?? parent?.tags ?? []),
      zone: pinned('zone') && existing ? existing.zone : input.zone !== undefined ? input.zone : (existing?.zone ?? parent?.zone ?? null),
      ...(existing?.description !== undefined && { description: existing.description }),
      ...(existing?.operatorFields !== undefined && existing.operatorFields.length > 0 && { operatorFields: existing.operatorFields }),
      status: 'online',
      protocols,
      registeredAt: existing && existing.status !== 'deregistered' ? existing.registeredAt : now,
      lastSeen: now,
      heartbeatIntervalMs: input.heartbeatIntervalMs !== undefined ? input.heartbeatIntervalMs : (existing?.heartbeatIntervalMs ?? null),
    };
    const wasOfflineWithParent = this.#offlineWithParent.has(id);
    this.#put(device);
    this.#byHardwareId.set(device.hardwareId, id);
    this.#offlineWithParent.delete(id);
    try {
      await this.#persist(device);
    } catch (error) {
      // A registration the store refused leaves no half-registered device behind: back to what was.
      if (this.#byId.get(id) === device) {
        if (existing) this.#put(existing);
        else {
          this.#remove(id);
          this.#byHardwareId.delete(device.hardwareId);
        }
        if (wasOfflineWithParent) this.#offlineWithParent.add(id);
      }
      throw error;
    }
    const created = !existing || existing.status === 'deregistered';
    this.#events.emit('device.registered', { device, created });
    // An MCU announcing a new zone (e.g. a Sparkplug NBIRTH's Properties/Zone) takes along the attached
    // devices that had no zone or its old one — including those another protocol registered first.
    if (existing && device.zone !== null && device.zone !== existing.zone) {
      const previous = existing.zone;
      await this.#moveChildren(id, device.zone, (child) => child.zone === null || child.zone === previous);
    }
    if (existing && existing.status !== 'online' && !created) {
      this.#events.emit('device.status', { device, previous: existing.status });
    }
    return { device, created };
  }

  /** A message arrived from the device: refresh lastSeen and bring it (and its children) back online. */
  touch(id: string): void {
    const device = this.#byId.get(id);
    if (!device || device.status === 'deregistered') return;
    const now = this.#now();
    if (device.status === 'offline') {
      this.#replace({ ...device, lastSeen: now, status: 'online' }, device.status);
      for (const child of this.children(id)) {
        if (this.#offlineWithParent.delete(child.id)) this.#replace({ ...child, status: 'online', lastSeen: now }, child.status);
      }
      return;
    }
    // Hot path (every device message): update in place rather than copy the record. lastSeen is
    // the one field the registry mutates; every other change replaces the record.
    (device as { lastSeen: number }).lastSeen = now;
    this.#dirty.add(id);
  }

  /** Merge a dynamic-state document into the device's state. */
  updateDynamicState(id: string, patch: JsonObject): Device {
    const device = this.require(id);
    const updated: Device = { ...device, dynamicState: { ...device.dynamicState, ...patch }, lastSeen: this.#now() };
    this.#put(updated);
    this.#dirty.add(id);
    this.#events.emit('device.updated', { device: updated });
    return updated;
  }

  /**
   * An operator's name, zone, tags or description for a device, persisted at once and kept through the
   * device's later registrations. A zone also moves the attached devices whose zone no operator set
   * (they inherited it from their MCU at registration). Returns the updated device and children.
   */
  async updateMetadata(id: string, patch: MetadataPatch): Promise<{ device: Device; children: Device[] }> {
    const device = this.require(id);
    const fields = (Object.keys(patch) as OperatorField[]).filter((field) => patch[field] !== undefined);
    const updated = withMetadata(device, patch, fields);
    this.#put(updated);
    await this.#persist(updated);
    this.#events.emit('device.updated', { device: updated });
    const children = patch.zone === undefined ? [] : await this.#moveChildren(id, patch.zone, () => true);
    return { device: updated, children };
  }

  /** Give attached devices their MCU's zone; never one whose zone an operator set. */
  async #moveChildren(parentId: string, zone: string | null, follows: (child: Device) => boolean): Promise<Device[]> {
    const moved: Device[] = [];
    for (const child of this.children(parentId)) {
      if (child.operatorFields?.includes('zone') === true || child.zone === zone || !follows(child)) continue;
      const updated: Device = { ...child, zone };
      this.#put(updated);
      await this.#persist(updated);
      this.#events.emit('device.updated', { device: updated });
      moved.push(updated);
    }
    return moved;
  }

  /** Set a status; an MCU going offline takes its attached devices with it. */
  setStatus(id: string, status: Exclude<DeviceStatus, 'deregistered'>): void {
    const device = this.#byId.get(id);
    if (!device || device.status === status || device.status === 'deregistered') return;
    this.#replace({ ...device, status }, device.status);
    if (status === 'offline') {
      for (const child of this.children(id)) {
        if (child.status === 'online') {
          this.#offlineWithParent.add(child.id);
          this.#replace({ ...child, status: 'offline' }, child.status);
        }
      }
    } else {
      this.#offlineWithParent.delete(id);
    }
  }

  /** Mark a device (and its attached devices) deregistered; history and telemetry are kept. */
  async deregister(id: string, visited: Set<string> = new Set()): Promise<Device> {
    const device = this.require(id);
    visited.add(id);
    for (const child of this.children(id)) if (!visited.has(child.id)) await this.deregister(child.id, visited);
    const updated: Device = { ...device, status: 'deregistered' };
    this.#put(updated);
    this.#offlineWithParent.delete(id);
    await this.#persist(updated);
    this.#events.emit('device.status', { device: updated, previous: device.status });
    this.#events.emit('device.removed', { device: updated });
    return updated;
  }

  /**
   * Another hub instance sharing the store changed a device (scale-out): take its record into the
   * working set without writing it back, and tell local listeners what changed. The newer lastSeen
   * wins; a record saying offline does not take down a device this instance heard from since.
   */
  applyRemote(remote: Device): void {
    const local = this.#byId.get(remote.id);
    if (local === undefined) {
      this.#put(remote);
      this.#byHardwareId.set(remote.hardwareId, remote.id);
      if (remote.status !== 'deregistered') this.#events.emit('device.registered', { device: remote, created: true });
      return;
    }
    const lastSeen = Math.max(local.lastSeen, remote.lastSeen);
    const keepOnline = local.status === 'online' && remote.status === 'offline' && local.lastSeen > remote.lastSeen;
    const device: Device = { ...remote, lastSeen, status: keepOnline ? 'online' : remote.status };
    const { lastSeen: _a, ...before } = local;
    const { lastSeen: _b, ...after } = device;
    if (JSON.stringify(before) === JSON.stringify(after)) {
      (local as { lastSeen: number }).lastSeen = lastSeen;
      return;
    }
    this.#put(device);
    this.#byHardwareId.set(device.hardwareId, device.id);
    if (device.status !== local.status) {
      this.#events.emit('device.status', { device, previous: local.status });
      if (device.status === 'deregistered') this.#events.emit('device.removed', { device });
    } else if (JSON.stringify(local.staticSchema) !== JSON.stringify(device.staticSchema) || local.parentId !== device.parentId) {
      this.#events.emit('device.registered', { device, created: false });
    } else {
      this.#events.emit('device.updated', { device });
    }
  }

  /** Persist devices whose lastSeen / dynamic state changed since the last flush. */
  async flush(): Promise<void> {
    const ids = [...this.#dirty];
    this.#dirty.clear();
    for (const id of ids) {
      const device = this.#byId.get(id);
      if (device) await this.#persist(device);
    }
  }

  #replace(device: Device, previous: DeviceStatus): void {
    this.#put(device);
    this.#dirty.add(device.id);
    this.#events.emit('device.status', { device, previous });
  }

  async #persist(device: Device): Promise<void> {
    try {
      await this.#store.saveDevice(device);
    } catch (error) {
      this.#onStoreError(error);
      throw new HubError('STORE_ERROR', `device save failed: ${device.id}`);
    }
  }
}

function withMetadata(device: Device, patch: MetadataPatch, fields: readonly OperatorField[]): Device {
  const { description: _previous, ...rest } = device;
  const description = patch.description === undefined ? device.description : (patch.description ?? undefined);
  const operatorFields = [...new Set([...(device.operatorFields ?? []), ...fields])];
  return {
    ...rest,
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.zone !== undefined && { zone: patch.zone }),
    ...(patch.tags !== undefined && { tags: [...patch.tags] }),
    ...(description !== undefined && description !== '' && { description }),
    ...(operatorFields.length > 0 && { operatorFields }),
  };
}

function defaultName(input: RegistrationInput): string {
  const model = text(input.staticSchema['model'], input.type);
  return `${model} ${input.hardwareId}`;
}
