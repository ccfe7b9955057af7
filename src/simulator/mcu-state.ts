/** The state of a simulated board that commands read and change: config, program, boot history, resources. */
import type { AttachedSensor } from './attached-sensor.ts';
import type { BoardProfile } from './board-profiles.ts';
import type { CommandContext, InstalledProgram } from './command-context.ts';
import { DEVICE_RPC_CODES, DeviceRpcError } from './device-rpc-error.ts';
import { applyMcuConfig, type ConfigChange, type McuConfig } from './mcu-config.ts';
import { McuDynamics, type McuResources } from './mcu-dynamics.ts';
import { statusDocument } from './mcu-status.ts';
import type { JsonObject } from './sensor-model.ts';
import type { Clock } from './sim-clock.ts';

export interface McuStateInit {
  readonly board: BoardProfile;
  readonly seed: number;
  readonly clock: Clock;
  readonly sensors: readonly AttachedSensor[];
  readonly config: McuConfig;
  /** Live counters: `sent` drives the load model. */
  readonly counters: { readonly sent: number };
  readonly connected: () => boolean;
}

/** Everything `mcu.*` / `sensor.*` commands see; survives reconnects, and reboots keep config and program (flash). */
export class McuState implements CommandContext {
  readonly board: BoardProfile;
  readonly #init: McuStateInit;
  readonly #dynamics: McuDynamics;
  #config: McuConfig;
  #program: InstalledProgram | null = null;
  #pendingProgram: InstalledProgram | null = null;
  #connectsSinceBoot = 0;
  #lastError: { code: string | number; message: string; timestamp: string } | null = null;
  #bootAt = 0;
  #bootCount = 0;
  #resetReason: 'power_on' | 'software' = 'power_on';
  #rebootRequest: number | null = null;

  constructor(init: McuStateInit) {
    this.board = init.board;
    this.#init = init;
    this.#config = init.config;
    this.#dynamics = new McuDynamics(init.board, init.seed);
    this.#bootAt = init.clock.now();
  }

  /** Power on (first boot) or come back from `mcu.reboot` (later boots); an uploaded program starts now. */
  boot(): void {
    if (this.#bootCount > 0) this.#resetReason = 'software';
    this.#bootCount++;
    this.#bootAt = this.#init.clock.now();
    this.#connectsSinceBoot = 0;
    this.#dynamics.boot();
    if (this.#pendingProgram !== null) {
      this.#program = this.#pendingProgram;
      this.#pendingProgram = null;
    }
  }

  /** Count an MQTT (re)connection for `network.reconnects`. */
  connected(): void {
    this.#connectsSinceBoot++;
  }

  /** Remember a local failure for `last_error`. */
  recordError(code: string | number, message: string): void {
    this.#lastError = { code, message, timestamp: new Date(this.now()).toISOString() };
  }

  /** The reboot a command asked for (delay in ms), once; null when none. */
  takeRebootRequest(): number | null {
    const delay = this.#rebootRequest;
    this.#rebootRequest = null;
    return delay;
  }

  now(): number {
    return this.#init.clock.now();
  }

  uptimeMs(): number {
    return this.now() - this.#bootAt;
  }

  sensors(): readonly AttachedSensor[] {
    return this.#init.sensors.filter((s) => s.attached);
  }

  sensor(id: string): AttachedSensor {
    const sensor = this.#init.sensors.find((s) => s.attached && s.matches(id));
    if (sensor === undefined) throw new DeviceRpcError(DEVICE_RPC_CODES.SENSOR_NOT_FOUND, `Sensor not attached: ${id}`, { sensor_id: id });
    return sensor;
  }

  resources(): McuResources {
    const now = this.now();
    return this.#dynamics.resources({
      timeMs: now,
      uptimeMs: now - this.#bootAt,
      sensorCount: this.sensors().length,
      messagesPerSecond: this.#dynamics.observeMessages(now, this.#init.counters.sent),
      lowPower: this.#config.power_mode === 'low_power',
    });
  }

  status(): JsonObject {
    const seed = this.#init.seed;
    return statusDocument({
      timeMs: this.now(),
      uptimeMs: this.uptimeMs(),
      board: this.board,
      resources: this.resources(),
      sensors: this.#init.sensors,
      config: this.#config,
      connected: this.#init.connected(),
      program: this.#program,
      bootCount: this.#bootCount,
      resetReason: this.#resetReason,
      reconnects: Math.max(0, this.#connectsSinceBoot - 1),
      lastError: this.#lastError,
      seed,
    });
  }

  config(): McuConfig {
    return this.#config;
  }

  setConfig(patch: JsonObject): ConfigChange {
    const change = applyMcuConfig(this.#config, patch);
    this.#config = change.config;
    return change;
  }

  freeHeap(): number {
    return this.resources().freeHeap;
  }

  cpuFrequencyHz(): number {
    return this.resources().cpuFrequencyHz;
  }

  program(): InstalledProgram | null {
    return this.#program;
  }

  /** Stage a program: it runs from the next boot (`mcu.reboot`). */
  installProgram(program: InstalledProgram): void {
    this.#pendingProgram = program;
  }

  scheduleReboot(delayMs: number): void {
    this.#rebootRequest = delayMs;
  }
}
