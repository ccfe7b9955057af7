/** Fleet: many SimulatedMcus of a board mix, zones round-robin, with live progress and a per-board summary. */
import type { SensorSpec } from './attached-sensor.ts';
import { BOARD_IDS, resolveBoard, type BoardId } from './board-profiles.ts';
import type { McuStats, SimulatedMcuOptions } from './mcu-options.ts';
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

/** Options of {@link Fleet}. */
export interface FleetOptions extends BrokerConnection, SharedMcuOptions {
  /** Number of MCUs (default 3). */
  readonly count?: number;
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

/** Counters summed over MCUs. */
export interface FleetTotals {
  readonly mcus: number;
  readonly registered: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly responses: number;
  readonly commandsAnswered: number;
  readonly commandsFailed: number;
  readonly telemetryMessages: number;
  readonly readings: number;
  readonly errors: number;
  readonly reboots: number;
}

/** A snapshot for a live progress line. */
export interface FleetProgress extends FleetTotals {
  readonly elapsedMs: number;
  readonly connected: number;
  readonly inFlight: number;
  /** Messages sent per second since the previous `progress()` call (or since start). */
  readonly messagesPerSecond: number;
}

/** The end-of-run report. */
export interface FleetSummary {
  readonly durationMs: number;
  readonly totals: FleetTotals;
  /** Average messages sent per second over the run. */
  readonly messagesPerSecond: number;
  readonly perBoard: Readonly<Partial<Record<BoardId, FleetTotals>>>;
  /** MCUs whose start failed, with the reason. */
  readonly failures: readonly { readonly hardwareId: string; readonly error: string }[];
}

/** A set of simulated MCUs started and stopped together. */
export class Fleet {
  readonly mcus: readonly SimulatedMcu[];
  #startedAt: number | null = null;
  #stoppedAt: number | null = null;
  #last = { time: 0, sent: 0 };
  readonly #failures: { hardwareId: string; error: string }[] = [];
  readonly #concurrency: number;

  constructor(options: FleetOptions = {}) {
    const count = options.count ?? 3;
    if (!Number.isInteger(count) || count < 0) throw new SimulatorError('INVALID_OPTIONS', `Invalid fleet size: ${count}`);
    const boards = (options.boards ?? BOARD_IDS).map(resolveBoard);
    if (boards.length === 0) throw new SimulatorError('INVALID_OPTIONS', 'Empty board list');
    const zones = typeof options.zones === 'object' ? [...options.zones] : zoneNames(options.zones ?? 2);
    const { count: _count, boards: _boards, zones: _zones, idPrefix = 'sim', seed = 1, startConcurrency = 50, tags = ['greenhouse', 'simulated'], ...shared } = options;
    this.#concurrency = Math.max(1, startConcurrency);
    const clock = options.clock ?? new SimClock();
    const perBoard = new Map<BoardId, number>();
    this.mcus = Array.from({ length: count }, (_, i) => {
      const board = boards[i % boards.length] ?? 'esp32-s3';
      const n = (perBoard.get(board) ?? 0) + 1;
      perBoard.set(board, n);
      const zone = zones.length > 0 ? zones[i % zones.length] : undefined;
      return new SimulatedMcu({
        ...shared,
        clock,
        hardwareId: `${idPrefix}-${board}-${String(n).padStart(3, '0')}`,
        board,
        seed: Math.floor(hash01(seed, i) * 2 ** 32),
        tags,
        ...(zone === undefined ? {} : { zone }),
      });
    });
  }

  /** Start every MCU, `startConcurrency` at a time. Resolves when each one registered or failed (see `summary().failures`). */
  async start(): Promise<void> {
    this.#startedAt = Date.now();
    this.#last = { time: this.#startedAt, sent: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < this.mcus.length; i = next++) {
        const mcu = this.mcus[i];
        if (mcu === undefined) continue;
        try {
          await mcu.start();
        } catch (error) {
          this.#failures.push({ hardwareId: mcu.hardwareId, error: error instanceof Error ? error.message : String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, this.mcus.length) }, worker));
  }

  /** Stop every MCU (each announces `device.offline` and disconnects). */
  async stop(): Promise<void> {
    await Promise.all(this.mcus.map((mcu) => mcu.stop()));
    this.#stoppedAt = Date.now();
  }

  totals(): FleetTotals {
    return sum(this.mcus.map((mcu) => mcu.stats()));
  }

  progress(): FleetProgress {
    const now = Date.now();
    const stats = this.mcus.map((mcu) => mcu.stats());
    const totals = sum(stats);
    const dt = now - this.#last.time;
    const messagesPerSecond = dt > 0 ? ((totals.sent - this.#last.sent) * 1000) / dt : 0;
    this.#last = { time: now, sent: totals.sent };
    return {
      ...totals,
      elapsedMs: this.#startedAt === null ? 0 : now - this.#startedAt,
      connected: stats.filter((s) => s.connected).length,
      inFlight: stats.reduce((n, s) => n + s.inFlight, 0),
      messagesPerSecond,
    };
  }

  summary(): FleetSummary {
    const durationMs = this.#startedAt === null ? 0 : (this.#stoppedAt ?? Date.now()) - this.#startedAt;
    const totals = this.totals();
    const perBoard: Partial<Record<BoardId, FleetTotals>> = {};
    for (const board of BOARD_IDS) {
      const members = this.mcus.filter((mcu) => mcu.board.id === board);
      if (members.length > 0) perBoard[board] = sum(members.map((mcu) => mcu.stats()));
    }
    return { durationMs, totals, messagesPerSecond: durationMs > 0 ? (totals.sent * 1000) / durationMs : 0, perBoard, failures: [...this.#failures] };
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
}

/**
 * Start a fleet, run it for `durationMs` or until `signal` aborts (whichever comes first; with neither it runs
 * until the process ends), then stop it and return the summary. An abort during start-up stops the fleet at once.
 */
export async function runFleet(options: RunFleetOptions): Promise<FleetSummary> {
  const { durationMs, signal, onProgress, progressIntervalMs = 1000, ...fleetOptions } = options;
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
  try {
    await Promise.race([fleet.start(), finished]);
    await finished;
  } finally {
    clearTimeout(endTimer);
    clearInterval(progressTimer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    await fleet.stop();
  }
  return fleet.summary();
}

/** One line for a terminal, e.g. `12.0s  6/6 registered  sent 1234 (102/s)  acked 1230  cmds 3  errors 0`. */
export function formatProgress(progress: FleetProgress): string {
  return [
    `${(progress.elapsedMs / 1000).toFixed(1)}s`,
    `${progress.registered}/${progress.mcus} registered`,
    `sent ${progress.sent} (${Math.round(progress.messagesPerSecond)}/s)`,
    `acked ${progress.acknowledged}`,
    `in flight ${progress.inFlight}`,
    `cmds ${progress.commandsAnswered}`,
    `errors ${progress.errors}`,
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

function sum(stats: readonly McuStats[]): FleetTotals {
  const total = { mcus: stats.length, registered: 0, sent: 0, acknowledged: 0, responses: 0, commandsAnswered: 0, commandsFailed: 0, telemetryMessages: 0, readings: 0, errors: 0, reboots: 0 };
  for (const s of stats) {
    if (s.registered) total.registered++;
    total.sent += s.sent;
    total.acknowledged += s.acknowledged;
    total.responses += s.responses;
    total.commandsAnswered += s.commandsAnswered;
    total.commandsFailed += s.commandsFailed;
    total.telemetryMessages += s.telemetryMessages;
    total.readings += s.readings;
    total.errors += s.errors;
    total.reboots += s.reboots;
  }
  return total;
}
