/**
 * TelemetryFanout: live subscriptions (data.subscribe, MCP resource updates) on one instance see the
 * telemetry every instance ingests. An instance with live subscribers says so in its membership row;
 * the others then publish what their pipelines accept on one broker topic (QoS 0, one JSON message
 * per accepted batch), and the watching instances replay it into their own event bus and latest
 * cache. With nobody watching nothing is published: the cost is paid only while someone looks.
 */
import type { EventBus } from '../core/event-bus.ts';
import type { LatestValueCache } from '../core/latest-cache.ts';
import type { MqttBus } from '../core/ports/mqtt-bus.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';
import type { Logger } from '../log/logger.ts';
import { FANOUT_TOPIC } from './instance-topics.ts';

export interface TelemetryFanoutOptions {
  readonly bus: MqttBus;
  readonly events: EventBus;
  readonly cache: LatestValueCache;
  readonly instance: string;
  readonly logger: Logger;
  /** Whether any other instance has live subscribers now. */
  readonly peersWatching: () => boolean;
}

export class TelemetryFanout {
  readonly #o: TelemetryFanoutOptions;
  #replaying = false;
  #unlisten: (() => void) | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  /** Batches published, and batches taken from peers (tests, bench). */
  published = 0;
  received = 0;

  constructor(options: TelemetryFanoutOptions) {
    this.#o = options;
  }

  /** Whether local listeners (other than the fan-out itself) want telemetry: live streams or MCP resource subscriptions. */
  get watching(): boolean {
    const live = this.#o.events.listenerCount('telemetry') - (this.#unlisten === undefined ? 0 : 1);
    return live > 0 || this.#o.events.listenerCount('telemetry.committed') > 0;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#o.bus.subscribe(FANOUT_TOPIC, (_topic, payload) => this.#take(payload), { qos: 0, shared: false });
    this.#unlisten = this.#o.events.on('telemetry', ({ points }) => this.#publish(points));
  }

  async stop(): Promise<void> {
    this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#unsubscribe?.();
  }

  #publish(points: readonly TelemetryPoint[]): void {
    if (this.#replaying || points.length === 0 || !this.#o.peersWatching()) return;
    this.published++;
    this.#o.bus.publish(FANOUT_TOPIC, JSON.stringify({ f: this.#o.instance, p: points }), { qos: 0 }).catch((error: unknown) => {
      this.#o.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'cluster: telemetry fan-out not published');
    });
  }

  #take(payload: Buffer): void {
    let message: { f?: unknown; p?: unknown };
    try {
      message = JSON.parse(payload.toString('utf8')) as { f?: unknown; p?: unknown };
    } catch {
      return;
    }
    if (message.f === this.#o.instance || !Array.isArray(message.p) || !this.watching) return;
    const points = message.p as TelemetryPoint[];
    this.received++;
    this.#o.cache.update(points);
    this.#replaying = true;
    try {
      this.#o.events.emit('telemetry', { points });
      // The cache holds them now: documents built from it show them (the peer commits them to the shared store).
      this.#o.events.emit('telemetry.committed', { points });
    } finally {
      this.#replaying = false;
    }
  }
}
