/** Typed in-process event bus. A throwing listener is reported, never breaks the emitter. */
import type { HubEventName, HubEvents } from './events.ts';

type Listener<K extends HubEventName> = (event: HubEvents[K]) => void;

export class EventBus {
  readonly #listeners = new Map<HubEventName, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: HubEventName) => void;

  constructor(onListenerError: (error: unknown, event: HubEventName) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribe; returns the unsubscribe function. */
  on<K extends HubEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends HubEventName>(name: K, event: HubEvents[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<K>)(event);
      } catch (error) {
        this.#onListenerError(error, name);
      }
    }
  }

  listenerCount(name: HubEventName): number {
    return this.#listeners.get(name)?.size ?? 0;
  }
}
