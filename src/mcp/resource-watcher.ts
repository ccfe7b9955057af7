/**
 * One session's resource subscriptions (MCP 2025-11-25 server/resources §Subscriptions): sends
 * `notifications/resources/updated` when a subscribed device, a device attached to it, or its
 * telemetry changes (once the points are committed, so a read on the update sees them) — at most once
 * per second per resource — and `notifications/resources/list_changed`
 * when devices join or leave.
 */
import type { Device } from '../core/device.ts';
import type { HubServices } from '../app/services.ts';
import type { ResourceRef } from './resource-uris.ts';
import { Debounce, KeyedThrottle } from './throttle.ts';

/** Options of {@link ResourceWatcher}. */
export interface ResourceWatcherOptions {
  readonly services: HubServices;
  readonly updated: (uri: string) => void;
  readonly listChanged: () => void;
  /** Minimum gap between two updates of one resource (default 1000 ms). */
  readonly throttleMs?: number;
  /** Quiet time before one list_changed closes a burst of joins/leaves (default 500 ms). */
  readonly listDebounceMs?: number;
}

interface Subscription {
  readonly kind: ResourceRef['kind'];
  /** The subscribed device's UUID (undefined for the fleet). */
  readonly deviceId: string | undefined;
}

/** Follows hub events for one session's subscriptions; `close()` stops listening. */
export class ResourceWatcher {
  readonly #services: HubServices;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #throttle: KeyedThrottle;
  readonly #listChanged: Debounce;
  readonly #off: (() => void)[];

  constructor(options: ResourceWatcherOptions) {
    this.#services = options.services;
    this.#throttle = new KeyedThrottle(options.throttleMs ?? 1000, options.updated);
    this.#listChanged = new Debounce(options.listDebounceMs ?? 500, options.listChanged);
    const { events } = options.services;
    const registryChange = ({ device }: { device: Device }): void => this.#deviceChanged(device);
    this.#off = [
      events.on('device.registered', ({ device, created }) => {
        if (created) this.#listChanged.trigger();
        this.#deviceChanged(device);
      }),
      events.on('device.removed', ({ device }) => {
        this.#listChanged.trigger();
        this.#deviceChanged(device);
      }),
      events.on('device.updated', registryChange),
      events.on('device.status', registryChange),
      // Committed, not accepted: a client reads the resource when told it changed, and must find the change.
      events.on('telemetry.committed', ({ points }) => this.#telemetry(points)),
    ];
  }

  subscribe(uri: string, ref: ResourceRef, deviceId: string | undefined): void {
    this.#subscriptions.set(uri, { kind: ref.kind, deviceId });
  }

  unsubscribe(uri: string): void {
    this.#subscriptions.delete(uri);
    this.#throttle.delete(uri);
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  close(): void {
    for (const off of this.#off) off();
    this.#throttle.close();
    this.#listChanged.close();
    this.#subscriptions.clear();
  }

  /** A registry change touches the fleet, the device's own documents and its parent's device document. */
  #deviceChanged(device: Device): void {
    if (this.#subscriptions.size === 0) return;
    for (const [uri, sub] of this.#subscriptions) {
      if (sub.kind === 'fleet' || (sub.kind === 'device' && (sub.deviceId === device.id || sub.deviceId === device.parentId)) || (sub.kind === 'telemetry' && sub.deviceId === device.id)) {
        this.#throttle.schedule(uri);
      }
    }
  }

  /** New points touch the device and telemetry documents of their device and of its parent MCU. */
  #telemetry(points: readonly { readonly deviceId: string }[]): void {
    if (this.#subscriptions.size === 0) return;
    const touched = new Set<string>();
    for (const point of points) {
      if (touched.has(point.deviceId)) continue;
      touched.add(point.deviceId);
      const parent = this.#services.registry.get(point.deviceId)?.parentId;
      if (parent) touched.add(parent);
    }
    for (const [uri, sub] of this.#subscriptions) {
      if (sub.kind !== 'fleet' && sub.deviceId !== undefined && touched.has(sub.deviceId)) this.#throttle.schedule(uri);
    }
  }
}
