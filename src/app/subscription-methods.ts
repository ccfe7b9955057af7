/** data.subscribe / data.unsubscribe: live telemetry pushed as `data.telemetry` notifications. */
import { Type } from '@sinclair/typebox';
import { matchesFilter, type DeviceFilter } from '../core/device-filter.ts';
import { HubError } from '../core/errors.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { pointToReading, type ReadingWire } from '../rpc/wire.ts';
import { hasFilter, toDeviceFilter } from './filter-params.ts';
import { measurementNames, Selection } from './query-params.ts';
import { resolveDevice, type HubServices } from './services.ts';

/** Name of the notification carrying live readings. */
export const TELEMETRY_NOTIFICATION = 'data.telemetry';
const SESSION_KEY = 'data.subscriptions';

interface Subscription {
  readonly id: string;
  readonly deviceIds: ReadonlySet<string> | undefined;
  readonly filter: DeviceFilter | undefined;
  readonly measurements: ReadonlySet<string> | undefined;
  readonly notify: (method: string, params: unknown) => void;
}

/** Live subscriptions of every connection; one telemetry listener serves them all. */
export class SubscriptionHub {
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #services: HubServices;
  #unlisten: (() => void) | undefined;
  /** data.subscribe subscriptions one connection may hold. */
  readonly maxPerConnection: number;

  constructor(services: HubServices, options: { readonly maxPerConnection?: number } = {}) {
    this.#services = services;
    this.maxPerConnection = options.maxPerConnection ?? 100;
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  add(subscription: Subscription): void {
    this.#subscriptions.set(subscription.id, subscription);
    this.#unlisten ??= this.#services.events.on('telemetry', ({ points }) => this.#deliver(points));
  }

  remove(id: string): boolean {
    const removed = this.#subscriptions.delete(id);
    if (this.#subscriptions.size === 0 && this.#unlisten) {
      this.#unlisten();
      this.#unlisten = undefined;
    }
    return removed;
  }

  #deliver(points: readonly TelemetryPoint[]): void {
    for (const sub of this.#subscriptions.values()) {
      const readings: ReadingWire[] = [];
      for (const point of points) if (this.#wants(sub, point)) readings.push(pointToReading(point, true));
      if (readings.length > 0) sub.notify(TELEMETRY_NOTIFICATION, { subscription_id: sub.id, readings });
    }
  }

  #wants(sub: Subscription, point: TelemetryPoint): boolean {
    if (sub.measurements && !sub.measurements.has(point.measurement)) return false;
    if (sub.deviceIds?.has(point.deviceId)) return true;
    if (!sub.filter) return sub.deviceIds === undefined;
    const device = this.#services.registry.get(point.deviceId);
    return device !== undefined && matchesFilter(device, sub.filter);
  }
}

export function subscriptionMethods(services: HubServices, hub: SubscriptionHub): MethodDefinition[] {
  return [
    defineMethod({
      name: 'data.subscribe',
      summary: 'Stream live telemetry of the selected devices as data.telemetry notifications (WebSocket or MQTT).',
      kind: 'read',
      tags: ['data', 'stream'],
      params: Type.Object(Selection),
      result: Type.Object({ subscription_id: Type.String(), notification: Type.String() }),
      async handler(params, context) {
        const { notify, session, onClose } = context;
        if (!notify || !session || !onClose) {
          throw new HubError('UNSUPPORTED_OPERATION', `data.subscribe needs a connection that can receive notifications (WebSocket or MQTT), not ${context.transport}`);
        }
        const existing = session.get(SESSION_KEY) as Set<string> | undefined;
        const mine = existing ?? new Set<string>();
        if (mine.size >= hub.maxPerConnection) {
          throw new HubError('LIMIT_REACHED', `data.subscribe refused: this connection already holds ${hub.maxPerConnection} subscriptions (--max-live-subscriptions)`, {
            limit: 'max_live_subscriptions',
            max: hub.maxPerConnection,
          });
        }
        const id = globalThis.crypto.randomUUID();
        const filter = params.filter && hasFilter(params.filter) ? toDeviceFilter(services, params.filter) : undefined;
        hub.add({
          id,
          deviceIds: params.device_ids ? new Set(params.device_ids.map((ref) => resolveDevice(services, ref).id)) : undefined,
          filter,
          measurements: params.measurement_types && params.measurement_types.length > 0 ? new Set(measurementNames(params.measurement_types)) : undefined,
          notify,
        });
        mine.add(id);
        if (existing === undefined) {
          session.set(SESSION_KEY, mine);
          // One cleanup per connection (one per subscribe/unsubscribe cycle would pile up on a long-lived
          // socket), registered after the add: on a connection already closed it runs at once and takes
          // this subscription with it; the key goes too, so a later subscribe there does the same.
          onClose(() => {
            session.delete(SESSION_KEY);
            for (const sid of mine) hub.remove(sid);
            mine.clear();
          });
        }
        return { subscription_id: id, notification: TELEMETRY_NOTIFICATION };
      },
    }),
    defineMethod({
      name: 'data.unsubscribe',
      summary: 'Stop a live telemetry subscription of this connection.',
      kind: 'read',
      tags: ['data', 'stream'],
      params: Type.Object({ subscription_id: Type.String() }),
      result: Type.Object({ unsubscribed: Type.Boolean() }),
      async handler(params, context) {
        const mine = context.session?.get(SESSION_KEY) as Set<string> | undefined;
        if (!mine?.delete(params.subscription_id)) {
          throw new HubError('SUBSCRIPTION_NOT_FOUND', `subscription not found on this connection: ${params.subscription_id}`);
        }
        hub.remove(params.subscription_id);
        return { unsubscribed: true };
      },
    }),
  ];
}
