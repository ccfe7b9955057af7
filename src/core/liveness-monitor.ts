/** LivenessMonitor: an MCU that misses its heartbeat window goes offline (its attached devices with it). */
import type { DeviceRegistry } from './device-registry.ts';

export interface LivenessOptions {
  readonly registry: DeviceRegistry;
  /** Heartbeat interval assumed for devices that declare none. */
  readonly defaultHeartbeatMs: number;
  /** Missed intervals tolerated before a device is declared offline (default 3, like MQTT's 1.5× keep-alive but for lossy links). */
  readonly missedBeats?: number;
  readonly now?: () => number;
}

export class LivenessMonitor {
  readonly #options: LivenessOptions;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: LivenessOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Start periodic sweeps (every quarter of the default window, at most every 5 s). */
  start(): void {
    if (this.#timer) return;
    const every = Math.max(50, Math.min(5_000, this.#options.defaultHeartbeatMs / 4));
    this.#timer = setInterval(() => this.sweep(), every);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Take every top-level device whose window has passed offline; returns how many. */
  sweep(): number {
    const now = this.#now();
    const missed = this.#options.missedBeats ?? 3;
    let count = 0;
    for (const device of this.#options.registry.list({ status: 'online' })) {
      if (device.parentId !== null) continue;
      const window = (device.heartbeatIntervalMs ?? this.#options.defaultHeartbeatMs) * missed;
      if (now - device.lastSeen > window) {
        this.#options.registry.setStatus(device.id, 'offline');
        count++;
      }
    }
    return count;
  }
}
