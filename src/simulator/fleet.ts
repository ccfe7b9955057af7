/** Fleet: many simulated devices of a board and protocol mix, zones round-robin, with live progress and per-board / per-protocol summaries. */
import type { SensorSpec } from './attached-sensor.ts';
import { BOARD_IDS, resolveBoard, type BoardId } from './board-profiles.ts';
import type { DualProtocolDeviceOptions } from './dual-device-options.ts';
import { DualProtocolDevice } from './dual-protocol-device.ts';
import {
  formatPerProtocol,
  snapshotDevice,
  sumPerProtocol,
  sumTotals,
  type DeviceProtocol,
  type FleetDevice,
  type FleetTotals,
  type ProtocolTotals,
  type WireProtocol,
} from './fleet-totals.ts';
import type { SimulatedMcuOptions } from './mcu-options.ts';
import type { BrokerConnection } from './mqtt-link.ts';
import { hash01 } from './random.ts';
import type { SensorKind } from './sensor-model.ts';
import { SimClock } from './sim-clock.ts';
import { SimulatedMcu } from './simulated-mcu.ts';
import { SimulatorError } from './simulator-error.ts';

/** MCU options every member of the fleet shares. */
type SharedMcuOptions = Pick<
  SimulatedMcuOptions,
  'telemetryIntervalMs' | 'heartbeatIntervalMs' | 'telemetryQos' | 'readingsPerMessage' | 'maxInFlight' | 'requestTimeoutMs' | 'retry' | 'churn' | 'clock' | 'announceOffline'
>;

export type { DeviceProtocol, FleetDevice, FleetTotals, ProtocolTotals, WireProtocol } from './fleet-totals.ts';

/** Dual-device options every dual member of the fleet shares. */
type SharedDualOptions = Pick<DualProtocolDeviceOptions, 'lwm2mIntervalMs' | 'lwm2mLifetimeS' | 'groupId' | 'hostId' | 'rebootDelayMs' | 'firmware'>;

/**
 * Which protocol each device speaks: `native` (default), `dual` (Sparkplug B + LwM2M on one connection), `mixed`
 * (alternating native, dual), or a round-robin pattern giving the ratio, e.g. `['native', 'dual', 'dual']`.
 */
export type FleetProtocolMix = DeviceProtocol | 'mixed' | readonly DeviceProtocol[];

/** Options of {@link Fleet}. Dual devices use `telemetryIntervalMs`, `clock`, `maxInFlight` and `sensors` too. */
export interface FleetOptions extends BrokerConnection, SharedMcuOptions, SharedDualOptions {
  /** Number of devices (default 3). */
  readonly count?: number;
  /** What each device speaks (default `native`). Dual devices get zones too (NBIRTH `Properties/Zone`); tags stay native-only. */
  readonly protocol?: FleetProtocolMix;
  /** Board mix, assigned round-robin, e.g. `['esp32-s3', 'pico', 'nano33']` (default: all three). */
  readonly boards?: readonly string[];
  /** Sensors on every MCU (default: BMP580, AS5600 and a soil probe). */
  readonly sensors?: readonly (SensorKind | SensorSpec)[];
  /** Zone count ("Zone A", "Zone B", …) or explicit names, assigned round-robin (default 2). */
  readonly zones?: number | readonly string[];
  /** Tags of every MCU (default `['greenhouse', 'simulated']`). */
  readonly tags?: readonly string[];
  /** Hardware ids are `{idPrefix}-{board}-{n}`, e.g. `sim-esp32-s3-001` (default `sim`). */
  readonly idPrefix?: string;
  /** Fleet seed; each MCU derives its own from it (default 1). */
  readonly seed?: number;
  /** MCUs registering at once during `start()` (default 50). */
  readonly startConcurrency?: number;
}

/** A snapshot for a live progress line. */
export interface FleetProgress extends FleetTotals {
  readonly elapsedMs: number;
  readonly connected: number;
  readonly inFlight: number;
  /** Messages sent per second since the previous `progress()` call (or since start). */
  readonly messagesPerSecond: number;
  readonly perProtocol: Readonly<Partial<Record<WireProtocol, ProtocolTotals>>>;
}

/** The end-of-run report. */
export interface FleetSummary {
  readonly durationMs: number;
  /** Counters of the run; `registered` counts the devices that registered at least once during it. */
  readonly totals: FleetTotals;
  /** Whether a hub answered any device during the run (see {@link Fleet.hubAnswered}). */
  readonly hubAnswered: boolean;
  /** Average messages sent per second over the run. */
  readonly messagesPerSecond: number;
  readonly perBoard: Readonly<Partial<Record<BoardId, FleetTotals>>>;
  /** Sent / acknowledged / commands per wire protocol; a dual device counts under `sparkplug` and `lwm2m`. After `stop()`, `active` is as it was when the fleet stopped. */
  readonly perProtocol: Readonly<Partial<Record<WireProtocol, ProtocolTotals>>>;
  /** Devices whose start failed, with the reason. */
  readonly failures: readonly { readonly hardwareId: string; readonly error: string }[];
}

/** A set of simulated devices started and stopped together. */
export class Fleet {
  /** Every device, in creation order. */
  readonly devices: readonly FleetDevice[];
  /** The native-protocol members. */
  readonly mcus: readonly SimulatedMcu[];
  /** The dual-protocol (Sparkplug B + LwM2M) members. */
  readonly dualDevices: readonly DualProtocolDevice[];
  #startedAt: number | null = null;
  #stoppedAt: number | null = null;
  #last = { time: 0, sent: 0 };
  readonly #failures: { hardwareId: string; error: string }[] = [];
  readonly #concurrency: number;
  /** Devices that registered at least once (the summary is taken after stop, when none is registered any more). */
  readonly #everRegistered = new Set<FleetDevice>();
  /** Per-protocol `active` counts when `stop()` began. */
  #activeAtStop: Partial<Record<WireProtocol, number>> | null = null;
  /** False with `hostId: null`: births then need no host, so they prove nothing about one. */
  readonly #birthsNeedHost: boolean;
  #hubAnswered = false;

  constructor(options: FleetOptions = {}) {
    const count = options.count ?? 3;
    if (!Number.isInteger(count) || count < 0) throw new SimulatorError('INVALID_OPTIONS', `Invalid fleet size: ${count}`);
    const boards = (options.boards ?? BOARD_IDS).map(resolveBoard);
    if (boards.length === 0) throw new SimulatorError('INVALID_OPTIONS', 'Empty board list');
    const zones = typeof options.zones === 'object' ? [...options.zones] : zoneNames(options.zones ?? 2);
    const protocols = protocolPattern(options.protocol ?? 'native');
    const { count: _count, boards: _boards, zones: _zones, protocol: _protocol, idPrefix = 'sim', seed = 1, startConcurrency = 50, tags = ['greenhouse', 'simulated'], ...shared } = options;
    const { lwm2mIntervalMs: _a, lwm2mLifetimeS: _b, groupId: _c, hostId: _d, rebootDelayMs: _e, firmware: _f, ...nativeShared } = shared;
    const dualShared = pickDefined(shared, DUAL_SHARED_KEYS);
    this.#concurrency = Math.max(1, startConcurrency);
    const clock = options.clock ?? new SimClock();
    const perBoard = new Map<BoardId, number>();
    this.devices = Array.from({ length: count }, (_, i): FleetDevice => {
      const board = boards[i % boards.length] ?? 'esp32-s3';
      const n = (perBoard.get(board) ?? 0) + 1;
      perBoard.set(board, n);
      const zone = zones.length > 0 ? zones[i % zones.length] : undefined;
      const hardwareId = `${idPrefix}-${board}-${String(n).padStart(3, '0')}`;
      const deviceSeed = Math.floor(hash01(seed, i) * 2 ** 32);
      if (protocols[i % protocols.length] === 'dual') {
        return new DualProtocolDevice({ ...dualShared, clock, hardwareId, board, seed: deviceSeed, ...(zone === undefined ? {} : { zone }) });
      }
      return new SimulatedMcu({ ...nativeShared, clock, hardwareId, board, seed: deviceSeed, tags, ...(zone === undefined ? {} : { zone }) });
    });
    this.mcus = this.devices.filter((d): d is SimulatedMcu => d instanceof SimulatedMcu);
    this.dualDevices = this.devices.filter((d): d is DualProtocolDevice => d instanceof DualProtocolDevice);
    for (const mcu of this.mcus) mcu.on('registered', () => this.#everRegistered.add(mcu));
    for (const device of this.dualDevices) device.on('registered', () => this.#everRegistered.add(device));
    this.#birthsNeedHost = options.hostId !== null;
  }

  /**
   * True once a hub answered any device: a JSON-RPC response to a native device, an LwM2M registration or
   * update answer, or (unless `hostId` is null) a Sparkplug birth, which waits for the host's online STATE.
   * False while the devices talk to a broker that no hub listens on.
   */
  hubAnswered(): boolean {
    if (this.#hubAnswered) return true;
    const stats = this.devices.map(snapshotDevice);
    this.#hubAnswered = sumTotals(stats).responses > 0 || (this.#birthsNeedHost && (sumPerProtocol(stats).sparkplug?.active ?? 0) > 0);
    return this.#hubAnswered;
  }

  /** Start every device, `startConcurrency` at a time. Resolves when each one registered or failed (see `summary().failures`). */
  async start(): Promise<void> {
    this.#startedAt = Date.now();
    this.#last = { time: this.#startedAt, sent: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < this.devices.length; i = next++) {
        const mcu = this.devices[i];
        if (mcu === undefined) continue;
        try {
          await mcu.start();
        } catch (error) {
          this.#failures.push({ hardwareId: mcu.hardwareId, error: error instanceof Error ? error.message : String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, this.devices.length) }, worker));
  }

  /** Stop every device (native: `device.offline`; dual: NDEATH and LwM2M de-register) and disconnect. */
  async stop(): Promise<void> {
    if (this.#activeAtStop === null) {
      this.hubAnswered();
      const perProtocol = sumPerProtocol(this.devices.map(snapshotDevice));
      this.#activeAtStop = Object.fromEntries(Object.entries(perProtocol).map(([protocol, totals]) => [protocol, totals.active]));
    }
    await Promise.all(this.devices.map((device) => device.stop()));
    this.#stoppedAt = Date.now();
  }

  totals(): FleetTotals {
    return sumTotals(this.devices.map(snapshotDevice));
  }

  progress(): FleetProgress {
    const now = Date.now();
    const stats = this.devices.map(snapshotDevice);
    const totals = sumTotals(stats);
    const dt = now - this.#last.time;
    const messagesPerSecond = dt > 0 ? ((totals.sent - this.#last.sent) * 1000) / dt : 0;
    this.#last = { time: now, sent: totals.sent };
    return {
      ...totals,
      elapsedMs: this.#startedAt === null ? 0 : now - this.#startedAt,
      connected: stats.filter((s) => s.connected).length,
      inFlight: stats.reduce((n, s) => n + s.inFlight, 0),
      messagesPerSecond,
      perProtocol: sumPerProtocol(stats),
    };
  }

  summary(): FleetSummary {
    const durationMs = this.#startedAt === null ? 0 : (this.#stoppedAt ?? Date.now()) - this.#startedAt;
    const stats = this.devices.map(snapshotDevice);
    const registered = (devices: readonly FleetDevice[]): number => devices.filter((d) => this.#everRegistered.has(d)).length;
    const totals = { ...sumTotals(stats), registered: registered(this.devices) };
    const perBoard: Partial<Record<BoardId, FleetTotals>> = {};
    for (const board of BOARD_IDS) {
      const members = this.devices.filter((d) => d.board.id === board);
      if (members.length > 0) perBoard[board] = { ...sumTotals(members.map(snapshotDevice)), registered: registered(members) };
    }
    const perProtocol = sumPerProtocol(stats);
    const atStop = this.#activeAtStop;
    if (atStop !== null) for (const [protocol, sum] of Object.entries(perProtocol)) perProtocol[protocol as WireProtocol] = { ...sum, active: atStop[protocol as WireProtocol] ?? 0 };
    const messagesPerSecond = durationMs > 0 ? (totals.sent * 1000) / durationMs : 0;
    return { durationMs, totals, hubAnswered: this.hubAnswered(), messagesPerSecond, perBoard, perProtocol, failures: [...this.#failures] };
  }
}

/** Options of {@link runFleet}. */
export interface RunFleetOptions extends FleetOptions {
  /** Stop after this many ms; without it the fleet runs until `signal` aborts. */
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  /** Called every `progressIntervalMs` (default 1000) with a snapshot. */
  readonly onProgress?: (progress: FleetProgress) => void;
  readonly progressIntervalMs?: number;
  /** Called once when no hub answered any device within `noHubTimeoutMs` (see {@link Fleet.hubAnswered}); the devices keep trying. */
  readonly onNoHub?: () => void;
  /** Default 5000. */
  readonly noHubTimeoutMs?: number;
}

/**
 * Start a fleet, run it for `durationMs` or until `signal` aborts (whichever comes first; with neither it runs
 * until the process ends), then stop it and return the summary. An abort during start-up stops the fleet at once.
 */
export async function runFleet(options: RunFleetOptions): Promise<FleetSummary> {
  const { durationMs, signal, onProgress, progressIntervalMs = 1000, onNoHub, noHubTimeoutMs = 5000, ...fleetOptions } = options;
  const fleet = new Fleet(fleetOptions);
  let endTimer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => {
    if (durationMs !== undefined) endTimer = setTimeout(resolve, durationMs);
    if (signal?.aborted === true) resolve();
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const progressTimer = onProgress === undefined ? undefined : setInterval(() => onProgress(fleet.progress()), progressIntervalMs);
  const noHubTimer = onNoHub === undefined ? undefined : setTimeout(() => fleet.hubAnswered() || onNoHub(), noHubTimeoutMs);
  try {
    await Promise.race([fleet.start(), finished]);
    await finished;
  } finally {
    clearTimeout(endTimer);
    clearInterval(progressTimer);
    clearTimeout(noHubTimer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    await fleet.stop();
  }
  return fleet.summary();
}

/**
 * One line for a terminal, e.g. `12.0s  6/6 registered  sent 1234 (102/s)  acked 1230  in flight 0  cmds 3  errors 0`;
 * with dual devices it ends in sent/acknowledged per protocol: `  |  native 400/400  sparkplug 700/700  lwm2m 134/130`.
 */
export function formatProgress(progress: FleetProgress): string {
  const perProtocol = Object.keys(progress.perProtocol).some((p) => p !== 'native') ? [`|  ${formatPerProtocol(progress.perProtocol)}`] : [];
  return [
    `${(progress.elapsedMs / 1000).toFixed(1)}s`,
    `${progress.registered}/${progress.mcus} registered`,
    `sent ${progress.sent} (${Math.round(progress.messagesPerSecond)}/s)`,
    `acked ${progress.acknowledged}`,
    `in flight ${progress.inFlight}`,
    `cmds ${progress.commandsAnswered}`,
    `errors ${progress.errors}`,
    ...perProtocol,
  ].join('  ');
}

/** "Zone A", "Zone B", …, "Zone Z", "Zone AA", … */
export function zoneNames(count: number): string[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => {
    let name = '';
    for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    return `Zone ${name}`;
  });
}

/** The fleet options a dual device takes. */
const DUAL_SHARED_KEYS = [
  'url',
  'streamBuilder',
  'connectOptions',
  'passwordFor',
  'sensors',
  'telemetryIntervalMs',
  'maxInFlight',
  'lwm2mIntervalMs',
  'lwm2mLifetimeS',
  'groupId',
  'hostId',
  'rebootDelayMs',
  'firmware',
] as const satisfies readonly (keyof DualProtocolDeviceOptions)[];

/** The given keys of `source` whose value is not undefined (exactOptionalPropertyTypes forbids passing undefined on). */
function pickDefined<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The round-robin protocol pattern of a mix. */
function protocolPattern(mix: FleetProtocolMix): readonly DeviceProtocol[] {
  const pattern = mix === 'mixed' ? (['native', 'dual'] as const) : typeof mix === 'string' ? [mix] : mix;
  if (pattern.length === 0 || pattern.some((p) => p !== 'native' && p !== 'dual')) {
    throw new SimulatorError('INVALID_OPTIONS', `Invalid protocol mix: ${JSON.stringify(mix)} (native, dual, mixed, or a list of native/dual)`);
  }
  return pattern;
}
