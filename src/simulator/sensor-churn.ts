/** Sensors being unplugged and plugged back in at random (exponential) intervals, seeded per sensor. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttachedSensor } from './attached-sensor.ts';
import type { Rng } from './random.ts';

/** Mean times, in real ms, a sensor stays plugged in and stays out. */
export interface ChurnOptions {
  /** Default 60 000. */
  readonly meanAttachedMs?: number;
  /** Default 10 000. */
  readonly meanDetachedMs?: number;
}

export interface ChurnActions {
  /** Unplug (may decline, e.g. while the MCU is offline: the sensor then stays attached for another cycle). */
  detach(sensor: AttachedSensor): Promise<void>;
  attach(sensor: AttachedSensor): Promise<void>;
}

/** Run the unplug / plug-in cycle of one sensor until `signal` aborts. Never rejects. */
export async function runChurn(sensor: AttachedSensor, rng: Rng, options: ChurnOptions, signal: AbortSignal, actions: ChurnActions): Promise<void> {
  const attachedMs = options.meanAttachedMs ?? 60_000;
  const detachedMs = options.meanDetachedMs ?? 10_000;
  try {
    for (;;) {
      if (sensor.attached) {
        await sleep(Math.max(1, rng.exponential(attachedMs)), undefined, { signal });
        await actions.detach(sensor);
      } else {
        await sleep(Math.max(1, rng.exponential(detachedMs)), undefined, { signal });
        await actions.attach(sensor);
      }
    }
  } catch {
    // Aborted: the MCU stopped or is rebooting.
  }
}
