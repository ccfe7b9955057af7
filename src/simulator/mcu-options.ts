/** Public option, counter and event types of SimulatedMcu. */
import type { SensorSpec } from './attached-sensor.ts';
import type { BoardId } from './board-profiles.ts';
import type { BrokerConnection } from './mqtt-link.ts';
import type { ChurnOptions } from './sensor-churn.ts';
import type { SensorKind, SensorModel } from './sensor-model.ts';
import type { Clock } from './sim-clock.ts';

/** Options of {@link SimulatedMcu}. Intervals are real milliseconds. */
export interface SimulatedMcuOptions extends BrokerConnection {
  /** Hardware id, also the MQTT client id, e.g. `esp32-greenhouse-a1`. No `/`, `+` or `#`. */
  readonly hardwareId: string;
  /** `esp32-s3`, `pico` / `pico-w`, `nano33` / `nano33-iot`. */
  readonly board: BoardId | string;
  /** Sensors wired to the board; default one BMP580, one AS5600 and one soil probe. */
  readonly sensors?: readonly (SensorKind | SensorSpec)[];
  /** Seed of every model on the board; default derived from the hardware id. */
  readonly seed?: number;
  readonly name?: string;
  /** E.g. "Zone A". */
  readonly zone?: string;
  /** E.g. ["greenhouse"]. */
  readonly tags?: readonly string[];
  /** Default 5000. `mcu.set_config telemetry_interval_ms` changes it at run time. */
  readonly telemetryIntervalMs?: number;
  /** Default 30 000. */
  readonly heartbeatIntervalMs?: number;
  /** QoS of telemetry (default 1; the protocol allows 0). */
  readonly telemetryQos?: 0 | 1;
  /** Benchmarks: send exactly this many points per `telemetry.report` (split or padded with MCU metrics). */
  readonly readingsPerMessage?: number;
  /** Publishes awaiting acknowledgement at once before the telemetry loop waits (default 32). */
  readonly maxInFlight?: number;
  /** How long to wait for the hub's answer to one request (default 3000). */
  readonly requestTimeoutMs?: number;
  /** Backoff between request retries: doubles from `initialMs` (500) to `maxMs` (15 000); `maxAttempts` default unlimited. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number; readonly maxAttempts?: number };
  /** Unplug and re-plug sensors at random (true = default means). */
  readonly churn?: boolean | ChurnOptions;
  /** Simulated time source (default: real time). */
  readonly clock?: Clock;
  /** Publish `device.offline` before an orderly stop (default true). */
  readonly announceOffline?: boolean;
}

/** Counters of one MCU. */
export interface McuStats {
  /** MQTT messages published (telemetry, heartbeats, requests, responses). */
  readonly sent: number;
  /** Published messages the broker acknowledged (PUBACK; QoS 0 once written). */
  readonly acknowledged: number;
  /** JSON-RPC responses received from the hub to this device's requests. */
  readonly responses: number;
  /** Hub commands answered (with a result or an error). */
  readonly commandsAnswered: number;
  /** Hub commands answered with an error. */
  readonly commandsFailed: number;
  readonly telemetryMessages: number;
  readonly readings: number;
  /** Local problems: publish failures, request timeouts, hub errors, malformed input. */
  readonly errors: number;
  readonly reboots: number;
  readonly inFlight: number;
  readonly connected: boolean;
  readonly registered: boolean;
}

/** A sensor as the MCU sees it. */
export interface SensorInfo {
  readonly kind: SensorKind;
  readonly hardwareId: string;
  readonly sensorId: string | null;
  readonly bus: 'i2c' | 'analog';
  readonly address: string;
  readonly attached: boolean;
  readonly model: SensorModel;
}

/** Events of {@link SimulatedMcu}. */
export interface SimulatedMcuEvents {
  registered: [deviceId: string];
  'sensor-discovered': [sensor: SensorInfo];
  'sensor-detached': [sensor: SensorInfo];
  command: [method: string, ok: boolean];
  rebooting: [delayMs: number];
  problem: [error: Error];
}
