/** SimulatedMcu: a virtual board speaking the native LLM-IoT protocol over one MQTT connection. */
import { EventEmitter } from 'node:events';
import { createAttachedSensors, type AttachedSensor } from './attached-sensor.ts';
import { BOARD_PROFILES, resolveBoard, type BoardProfile } from './board-profiles.ts';
import { answerCommand } from './device-commands.ts';
import { HubRpcError } from './hub-rpc-error.ts';
import { notificationMessage, type OutgoingMessage } from './json-rpc.ts';
import type { McuStats, SensorInfo, SimulatedMcuEvents, SimulatedMcuOptions } from './mcu-options.ts';
import { McuState } from './mcu-state.ts';
import { MqttLink } from './mqtt-link.ts';
import { createRng, hash01, seedFromString } from './random.ts';
import { discoverParams, registerParams, type McuIdentity } from './registration-params.ts';
import { RpcEndpoint } from './rpc-endpoint.ts';
import { runChurn } from './sensor-churn.ts';
import { SENSOR_KINDS, type JsonObject } from './sensor-model.ts';
import { SimClock, type Clock } from './sim-clock.ts';
import { SimulatorError } from './simulator-error.ts';
import { buildTelemetryMessages, mcuReadings, type TelemetryReading } from './telemetry-builder.ts';
import { runSchedule } from './tick-schedule.ts';

export type { McuStats, SensorInfo, SimulatedMcuEvents, SimulatedMcuOptions } from './mcu-options.ts';

const HARDWARE_ID = /^[^/+#\s]{1,128}$/;

/**
 * A virtual MCU. `start()` connects (will = `device.offline` on its up topic), registers, discovers its
 * sensors, then streams `telemetry.report` and `device.heartbeat` and answers the hub commands of docs/protocol.md.
 */
export class SimulatedMcu extends EventEmitter<SimulatedMcuEvents> {
  readonly hardwareId: string;
  readonly board: BoardProfile;
  readonly zone: string | undefined;
  readonly tags: readonly string[];
  readonly #options: SimulatedMcuOptions;
  readonly #seed: number;
  readonly #clock: Clock;
  readonly #sensors: AttachedSensor[];
  readonly #topics: { up: string; down: string };
  readonly #counters = { sent: 0, acknowledged: 0, errors: 0, responses: 0, commandsAnswered: 0, commandsFailed: 0, telemetryMessages: 0, readings: 0, reboots: 0 };
  readonly #endpoint: RpcEndpoint;
  readonly #state: McuState;
  #link: MqttLink | null = null;
  #lifecycle: AbortController | null = null;
  #running = false;
  #registered = false;
  #session = 0;
  #deviceId: string | null = null;
  #rebootTimer: NodeJS.Timeout | null = null;
  #startWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(options: SimulatedMcuOptions) {
    super();
    if (!HARDWARE_ID.test(options.hardwareId)) throw new SimulatorError('INVALID_OPTIONS', `Invalid hardware id: ${JSON.stringify(options.hardwareId)}`);
    const perMessage = options.readingsPerMessage;
    if (perMessage !== undefined && !(Number.isInteger(perMessage) && perMessage >= 1 && perMessage <= 1000)) {
      throw new SimulatorError('INVALID_OPTIONS', `Invalid readingsPerMessage: ${perMessage}`);
    }
    this.#options = options;
    this.hardwareId = options.hardwareId;
    this.board = BOARD_PROFILES[resolveBoard(options.board)];
    this.zone = options.zone;
    this.tags = options.tags ?? [];
    this.#seed = (options.seed ?? seedFromString(options.hardwareId)) >>> 0;
    this.#clock = options.clock ?? new SimClock();
    this.#sensors = createAttachedSensors(this.hardwareId, this.board, options.sensors ?? SENSOR_KINDS, this.#seed);
    this.#topics = { up: `llmiot/v1/${this.hardwareId}/up`, down: `llmiot/v1/${this.hardwareId}/down` };
    const config = {
      telemetry_interval_ms: options.telemetryIntervalMs ?? 5000,
      heartbeat_interval_ms: options.heartbeatIntervalMs ?? 30_000,
      telemetry_qos: options.telemetryQos ?? 1,
      power_mode: 'normal',
      log_level: 'info',
      wifi_ssid: 'greenhouse-iot',
      led_enabled: true,
    } as const;
    const state = new McuState({ board: this.board, seed: this.#seed, clock: this.#clock, sensors: this.#sensors, config, counters: this.#counters, connected: () => this.#link?.connected ?? false });
    this.#state = state;
    this.#endpoint = new RpcEndpoint({
      publish: (message) => this.#publish(message, 1),
      answer: (method, params) => answerCommand(state, method, params, this.hardwareId),
      onCommand: (method, ok) => this.emit('command', method, ok),
      // A reboot runs after the answer that accepted it is acknowledged, never from another message's handler.
      afterAnswers: () => {
        const delay = state.takeRebootRequest();
        return delay === null ? undefined : () => this.#reboot(delay);
      },
      counters: this.#counters,
      seed: this.#seed,
      requestTimeoutMs: options.requestTimeoutMs ?? 3000,
      retry: { initialMs: 500, maxMs: 15_000, maxAttempts: Number.POSITIVE_INFINITY, ...options.retry },
    });
  }

  /** The dynamic state document, as sent in heartbeats and returned by `mcu.get_status`. */
  status(): JsonObject {
    return this.#state.status();
  }

  /** UUID the hub assigned in `device.register`; null before the first registration. */
  get deviceId(): string | null {
    return this.#deviceId;
  }

  get registered(): boolean {
    return this.#registered;
  }

  sensors(): SensorInfo[] {
    return this.#sensors.map(info);
  }

  stats(): McuStats {
    return { ...this.#counters, inFlight: this.#link?.inFlight ?? 0, connected: this.#link?.connected ?? false, registered: this.#registered };
  }

  /** Connect and register. Resolves once registered; rejects if the hub refuses registration or `stop()` comes first. */
  start(): Promise<void> {
    if (this.#running) return Promise.reject(new SimulatorError('INVALID_OPTIONS', `Already started: ${this.hardwareId}`));
    this.#running = true;
    const started = new Promise<void>((resolve, reject) => (this.#startWaiter = { resolve, reject }));
    this.#boot();
    return started;
  }

  /** Announce `device.offline` (unless disabled), disconnect cleanly and end every loop. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#rebootTimer !== null) clearTimeout(this.#rebootTimer);
    this.#lifecycle?.abort();
    const link = this.#link;
    if (link !== null) {
      if (this.#registered && this.#options.announceOffline !== false) await withTimeout(this.#publish(notificationMessage('device.offline', {}), 1), 2000);
      this.#link = null;
      if (!(await withTimeout(link.close(), 2000))) await link.destroy();
    }
    this.#registered = false;
    this.#endpoint.abandon(new SimulatorError('STOPPED', `Stopped: ${this.hardwareId}`));
    this.#startWaiter?.reject(new SimulatorError('STOPPED', `Stopped before registering: ${this.hardwareId}`));
    this.#startWaiter = null;
  }

  /**
   * Unplug a sensor (by kind, hardware id or sensor id) and send `sensor.detached`. Only while registered, so the
   * hub always hears of it: resolves false (and changes nothing) when offline or already unplugged.
   */
  async detachSensor(id: string): Promise<boolean> {
    const sensor = this.#find(id);
    if (!sensor.attached || !this.#registered) return false;
    sensor.attached = false;
    if (sensor.sensorId !== null) await this.#publish(notificationMessage('sensor.detached', { sensor_id: sensor.sensorId }), 1);
    this.emit('sensor-detached', info(sensor));
    return true;
  }

  /** Plug a sensor back in; it is discovered again and keeps its sensor id (same hardware id). */
  async attachSensor(id: string): Promise<void> {
    const sensor = this.#find(id);
    if (sensor.attached) return;
    sensor.attached = true;
    const signal = this.#lifecycle?.signal;
    if (this.#registered && signal !== undefined) await this.#discover(sensor, this.#session, signal);
  }

  #find(id: string): AttachedSensor {
    const sensor = this.#sensors.find((s) => s.kind === id || s.matches(id));
    if (sensor === undefined) throw new SimulatorError('INVALID_OPTIONS', `No such sensor on ${this.hardwareId}: ${id}`);
    return sensor;
  }

  #publish(message: OutgoingMessage | OutgoingMessage[], qos: 0 | 1): Promise<boolean> {
    return this.#link?.publish(this.#topics.up, JSON.stringify(message), qos) ?? Promise.resolve(false);
  }

  #boot(): void {
    const lifecycle = new AbortController();
    const { signal } = lifecycle;
    this.#lifecycle = lifecycle;
    this.#state.boot();
    const will = { topic: this.#topics.up, payload: JSON.stringify(notificationMessage('device.offline')) };
    this.#link = new MqttLink({ ...this.#options, clientId: this.hardwareId, will, maxInFlight: this.#options.maxInFlight ?? 32 }, this.#counters, {
      onMessage: (topic, payload) => void this.#onMessage(topic, payload),
      onConnect: () => {
        this.#state.connected();
        void this.#bringUp(signal);
      },
      onClose: () => {
        this.#registered = false;
        this.#endpoint.abandon(new SimulatorError('CONNECTION_LOST', `Connection closed: ${this.hardwareId}`));
      },
    });
    const active = (): boolean => this.#registered;
    void runSchedule({ signal, active, interval: () => this.#state.config().telemetry_interval_ms, maxBurst: 100 }, () => this.#sendTelemetry());
    void runSchedule({ signal, active, interval: () => this.#state.config().heartbeat_interval_ms, maxBurst: 1 }, () => this.#sendHeartbeat());
    const churn = this.#options.churn;
    if (churn === undefined || churn === false) return;
    for (const sensor of this.#sensors) {
      const rng = createRng(this.#seed ^ Math.floor(hash01(this.#seed, this.#counters.reboots) * 2 ** 32) ^ seedFromString(sensor.hardwareId));
      void runChurn(sensor, rng, churn === true ? {} : churn, signal, {
        detach: async (s) => {
          await this.detachSensor(s.hardwareId);
        },
        attach: (s) => this.attachSensor(s.hardwareId),
      });
    }
  }

  /** Register, then discover every attached sensor. Runs on every (re)connect. */
  async #bringUp(signal: AbortSignal): Promise<void> {
    const session = ++this.#session;
    const current = (): boolean => session === this.#session;
    this.#registered = false;
    try {
      await this.#link?.subscribe(this.#topics.down);
      const result = await this.#endpoint.request('device.register', registerParams(this.#identity()), current, signal);
      const deviceId = (result as { device_id?: unknown } | null)?.device_id;
      if (typeof deviceId !== 'string') throw new SimulatorError('REGISTER_REJECTED', `device.register result has no device_id: ${this.hardwareId}`, result);
      this.#deviceId = deviceId;
      this.#registered = true;
      this.emit('registered', deviceId);
      this.#startWaiter?.resolve();
      this.#startWaiter = null;
      for (const sensor of this.#sensors) if (sensor.attached) await this.#discover(sensor, session, signal);
    } catch (error) {
      if (signal.aborted || !current() || (error instanceof SimulatorError && error.code === 'CONNECTION_LOST')) return;
      const failure = new SimulatorError('REGISTER_REJECTED', `Registration failed: ${this.hardwareId}: ${(error as Error).message}`, error);
      this.#problem(failure);
      this.#startWaiter?.reject(failure);
      this.#startWaiter = null;
      await this.stop();
    }
  }

  async #discover(sensor: AttachedSensor, session: number, signal: AbortSignal): Promise<void> {
    const mcuId = this.#deviceId;
    if (mcuId === null) return;
    try {
      const result = await this.#endpoint.request('sensor.discover', discoverParams(this.#identity(), mcuId, sensor), () => session === this.#session, signal);
      const sensorId = (result as { sensor_id?: unknown } | null)?.sensor_id;
      if (typeof sensorId !== 'string') throw new SimulatorError('REGISTER_REJECTED', `sensor.discover result has no sensor_id: ${sensor.hardwareId}`, result);
      sensor.sensorId = sensorId;
      this.emit('sensor-discovered', info(sensor));
    } catch (error) {
      if (signal.aborted || session !== this.#session) return;
      sensor.errorCount++;
      this.#problem(error as Error);
    }
  }

  #problem(error: Error): void {
    this.#state.recordError(error instanceof SimulatorError || error instanceof HubRpcError ? error.code : error.name, error.message);
    this.emit('problem', error);
  }

  #identity(): McuIdentity {
    return { hardwareId: this.hardwareId, board: this.board, name: this.#options.name, zone: this.zone, tags: this.tags };
  }

  async #sendTelemetry(): Promise<void> {
    const link = this.#link;
    const deviceId = this.#deviceId;
    if (link === null || deviceId === null) return;
    const now = this.#clock.now();
    const readings: TelemetryReading[] = [];
    for (const sensor of this.#sensors) {
      if (!sensor.attached || sensor.sensorId === null) continue;
      const sensorReadings = sensor.model.read(now);
      for (const reading of sensorReadings) readings.push({ ...reading, sensor_id: sensor.sensorId });
      sensor.readingsCount += sensorReadings.length;
    }
    const perMessage = this.#options.readingsPerMessage;
    const padding = perMessage === undefined ? [] : mcuReadings(this.#state.resources(), Math.floor(this.#state.uptimeMs() / 1000));
    for (const message of buildTelemetryMessages(deviceId, new Date(now).toISOString(), readings, padding, perMessage)) {
      // Backpressure: never more than maxInFlight unacknowledged publishes inside mqtt.js.
      await link.waitForCapacity();
      if (!this.#registered || this.#link !== link) return;
      this.#counters.telemetryMessages++;
      this.#counters.readings += message.params.readings.length;
      void link.publish(this.#topics.up, JSON.stringify(message), this.#state.config().telemetry_qos);
    }
  }

  async #sendHeartbeat(): Promise<void> {
    await this.#link?.waitForCapacity();
    void this.#publish(notificationMessage('device.heartbeat', { device_id: this.#deviceId, dynamic_state: this.status() }), 1);
  }

  async #onMessage(topic: string, payload: Buffer): Promise<void> {
    if (topic !== this.#topics.down) return;
    await this.#endpoint.receive(payload);
  }

  /** Power-cycle: drop the connection without DISCONNECT (the broker publishes the will), come back after `delayMs`. */
  async #reboot(delayMs: number): Promise<void> {
    this.#counters.reboots++;
    this.#registered = false;
    this.#lifecycle?.abort();
    const link = this.#link;
    this.#link = null;
    this.emit('rebooting', delayMs);
    await link?.destroy();
    this.#endpoint.abandon(new SimulatorError('CONNECTION_LOST', `Rebooting: ${this.hardwareId}`));
    if (!this.#running) return;
    this.#rebootTimer = setTimeout(() => {
      this.#rebootTimer = null;
      if (this.#running) this.#boot();
    }, delayMs);
  }
}

function info(sensor: AttachedSensor): SensorInfo {
  return { kind: sensor.kind, hardwareId: sensor.hardwareId, sensorId: sensor.sensorId, bus: sensor.bus, address: sensor.address, attached: sensor.attached, model: sensor.model };
}

/** true when `promise` settled within `ms`. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
