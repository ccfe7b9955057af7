/** Public option, counter and event types of DualProtocolDevice. */
import type { SensorSpec } from './attached-sensor.ts';
import type { BoardId } from './board-profiles.ts';
import type { Lwm2mCounters } from './lwm2m-client.ts';
import type { BrokerConnection } from './mqtt-link.ts';
import type { SensorKind } from './sensor-model.ts';
import type { Clock } from './sim-clock.ts';
import type { SparkplugCounters } from './sparkplug-edge.ts';

/** Sparkplug group id of the seed. */
export const DEFAULT_GROUP_ID = 'IIoT';
/** Host application id the edge waits for by default (the hub's). */
export const DEFAULT_HOST_ID = 'llm-iot';

/** Options of {@link DualProtocolDevice}. Intervals are real milliseconds. */
export interface DualProtocolDeviceOptions extends BrokerConnection {
  /** Hardware id: MQTT client id, Sparkplug edge node id and LwM2M endpoint name. No `/`, `+` or `#`. */
  readonly hardwareId: string;
  /** `esp32-s3`, `pico` / `pico-w`, `nano33` / `nano33-iot`. */
  readonly board: BoardId | string;
  /** Sensors wired to the board; default one BMP580, one AS5600 and one soil probe. */
  readonly sensors?: readonly (SensorKind | SensorSpec)[];
  /**
   * Where the device is installed, e.g. "Zone A". Sent as the NBIRTH String metric `Properties/Zone`, which the
   * hub takes as the device's zone (its sensors inherit it) unless an operator set one with device.update.
   */
  readonly zone?: string;
  /** Seed of every model on the board; default derived from the hardware id. */
  readonly seed?: number;
  /** Simulated time source (default: real time). */
  readonly clock?: Clock;
  /** NDATA + DDATA period (default 1000, the seed's TELEMETRY_INTERVAL=1). Writable as `Config/telemetry_interval_ms`. */
  readonly telemetryIntervalMs?: number;
  /** LwM2M update period (default 3000, the seed's LWM2M_INTERVAL=3). Writable as `Config/lwm2m_interval_ms`. */
  readonly lwm2mIntervalMs?: number;
  /**
   * IPSO object of the BMP580 pressure: 3315 Barometer (default) or 3323 Pressure, which adds the writable
   * 5821 Current Calibration (an offset in hPa added to 5700).
   */
  readonly lwm2mPressureObject?: 3315 | 3323;
  /** Registration lifetime in s (default 3600); the server may write /1/0/1. */
  readonly lwm2mLifetimeS?: number;
  /** Sparkplug group id (default `IIoT`). */
  readonly groupId?: string;
  /** Primary host id whose STATE gates NBIRTH (default `llm-iot`); null births without waiting for a host. */
  readonly hostId?: string | null;
  /** Publishes awaiting acknowledgement at once before the loops wait (default 32). */
  readonly maxInFlight?: number;
  /** Off time of a reboot (Node Control/Reboot, /3/0/4), default 500. */
  readonly rebootDelayMs?: number;
  /** false: a Sparkplug-only edge node (no LwM2M registration; `start()` resolves on CONNACK). Default true. */
  readonly lwm2m?: boolean;
  /** false: a LwM2M-only client (no Sparkplug session, births or will; `start()` resolves once registered). Default true. */
  readonly sparkplug?: boolean;
  /** Simulated firmware download and install times (default 200 each). */
  readonly firmware?: { readonly downloadMs?: number; readonly updateMs?: number };
}

/** Counters of one dual-protocol device. */
export interface DualProtocolStats {
  readonly sparkplug: Readonly<SparkplugCounters>;
  readonly lwm2m: Readonly<Lwm2mCounters>;
  /** Transport errors (connection refused, reset) and malformed input. */
  readonly errors: number;
  readonly reboots: number;
  readonly inFlight: number;
  readonly connected: boolean;
  /** The broker acknowledged this session's LwM2M Register. */
  readonly registered: boolean;
  /** NBIRTH sent in this session and the host is online. */
  readonly born: boolean;
  /** bdSeq of the current connection. */
  readonly bdSeq: number;
}

/** Events of {@link DualProtocolDevice}. */
export interface DualProtocolDeviceEvents {
  /** LwM2M Register acknowledged by the broker (every session). */
  registered: [];
  rebooting: [delayMs: number];
  problem: [error: Error];
}
