/** How a simulated MCU's resources move: heap with GC sawtooth and slow leak, Wi-Fi RSSI, CPU load and die temperature. */
import type { BoardProfile } from './board-profiles.ts';
import { clamp } from './diurnal.ts';
import { hash01, hashNormal, valueNoise } from './random.ts';

/** What the firmware is doing right now, as inputs to the resource model. */
export interface McuLoad {
  readonly timeMs: number;
  readonly uptimeMs: number;
  readonly sensorCount: number;
  /** Messages published per (simulated) second recently. */
  readonly messagesPerSecond: number;
  readonly lowPower: boolean;
}

/** Resource figures for `device.heartbeat` / `mcu.get_status`. */
export interface McuResources {
  readonly freeHeap: number;
  readonly minFreeHeap: number;
  readonly rssiDbm: number;
  readonly cpuPercent: number;
  readonly cpuTemperatureC: number;
  readonly cpuFrequencyHz: number;
}

/** Deterministic (per seed) resource model of one MCU. Tracks the low-water mark of the heap since boot. */
export class McuDynamics {
  readonly #profile: BoardProfile;
  readonly #seed: number;
  readonly #rssiBase: number;
  #minFreeHeap = Number.POSITIVE_INFINITY;
  #rate = { lastTime: Number.NaN, lastCount: 0, perSecond: 0 };

  constructor(profile: BoardProfile, seed: number) {
    this.#profile = profile;
    this.#seed = seed >>> 0;
    // Where the board sits relative to the access point: -48 dBm (near) to -74 dBm (far corner of the greenhouse).
    this.#rssiBase = -48 - 26 * hash01(this.#seed, 31);
  }

  /** Forget the heap low-water mark (after a reboot). */
  boot(): void {
    this.#minFreeHeap = Number.POSITIVE_INFINITY;
  }

  /** Feed the running total of messages sent; returns the smoothed rate per simulated second. */
  observeMessages(timeMs: number, total: number): number {
    const rate = this.#rate;
    if (!Number.isNaN(rate.lastTime) && timeMs > rate.lastTime) {
      const instant = ((total - rate.lastCount) * 1000) / (timeMs - rate.lastTime);
      rate.perSecond = rate.perSecond === 0 ? instant : 0.7 * rate.perSecond + 0.3 * instant;
    }
    rate.lastTime = timeMs;
    rate.lastCount = total;
    return rate.perSecond;
  }

  resources(load: McuLoad): McuResources {
    const p = this.#profile;
    // Heap: drivers take their share, buffers grow with traffic, the GC sawtooth repeats every ~30 s, fragmentation creeps up for a day.
    const gcPhase = (load.uptimeMs % 30_000) / 30_000;
    const leak = Math.min(load.uptimeMs / 86_400_000, 1) * 0.03 * p.baseFreeHeap;
    const buffers = Math.min(load.messagesPerSecond * 40, 0.15 * p.baseFreeHeap);
    const heap = p.baseFreeHeap - p.heapPerSensor * load.sensorCount - 0.02 * p.baseFreeHeap * gcPhase - leak - buffers + 0.002 * p.baseFreeHeap * hashNormal(this.#seed, load.timeMs, 32);
    const freeHeap = Math.max(1024, Math.round(heap / 4) * 4);
    this.#minFreeHeap = Math.min(this.#minFreeHeap, freeHeap);
    const cpuFrequencyHz = load.lowPower ? Math.round(p.cpuFrequencyHz / 3) : p.cpuFrequencyHz;
    const perMessage = (0.4 * 240_000_000) / cpuFrequencyHz;
    const cpu = p.idleCpuPercent + load.messagesPerSecond * perMessage + 1.5 * Math.abs(hashNormal(this.#seed, load.timeMs, 33));
    const cpuPercent = Math.round(clamp(cpu, 0.5, 99) * 10) / 10;
    const rssi = this.#rssiBase + 4 * valueNoise(this.#seed ^ 0x7551, load.timeMs, 90_000) + 1.5 * hashNormal(this.#seed, load.timeMs, 34);
    return {
      freeHeap,
      minFreeHeap: this.#minFreeHeap,
      rssiDbm: Math.round(clamp(rssi, -95, -30)),
      cpuPercent,
      cpuTemperatureC: Math.round((34 + 0.25 * cpuPercent + 1.5 * valueNoise(this.#seed ^ 0x7e3, load.timeMs, 600_000)) * 10) / 10,
      cpuFrequencyHz,
    };
  }
}
