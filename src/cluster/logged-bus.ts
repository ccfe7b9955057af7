/**
 * LoggedBus: the bus the protocols subscribe through on a cluster instance, remembering each
 * subscription (filter, handler, shared or not). A survivor that adopts a dead instance's broker
 * session (session-adopter.ts) hands the messages queued there to these same handlers.
 */
import type { MessageHandler, QoS } from '../core/ports/mqtt-bus.ts';
import { BusView } from './bus-view.ts';

/** One subscription a protocol made. */
export interface LoggedSubscription {
  readonly filter: string;
  readonly handler: MessageHandler;
  readonly qos: QoS;
  /** In the instances' shared-subscription group (each message to one instance) or not (every instance gets a copy). */
  readonly shared: boolean;
}

export class LoggedBus extends BusView {
  readonly #subscriptions = new Set<LoggedSubscription>();

  /** The live subscriptions, in the order they were made. */
  get subscriptions(): readonly LoggedSubscription[] {
    return [...this.#subscriptions];
  }

  override async subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS; shared?: boolean } = {}): Promise<() => Promise<void>> {
    const unsubscribe = await this.inner.subscribe(filter, handler, options);
    const entry: LoggedSubscription = { filter, handler, qos: options.qos ?? 0, shared: options.shared !== false };
    this.#subscriptions.add(entry);
    return () => {
      this.#subscriptions.delete(entry);
      return unsubscribe();
    };
  }
}
