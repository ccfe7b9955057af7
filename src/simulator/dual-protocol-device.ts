/** DualProtocolDevice: a virtual board holding ONE MQTT connection that carries Sparkplug B telemetry and LwM2M management. */
import { EventEmitter } from 'node:events';
import type { SparkplugMetricValue } from '../protocols/sparkplug/codec/index.ts';
import { createAttachedSensors, type AttachedSensor } from './attached-sensor.ts';
import { BOARD_PROFILES, resolveBoard, type BoardProfile } from './board-profiles.ts';
import { DEFAULT_GROUP_ID, DEFAULT_HOST_ID, type DualProtocolDeviceEvents, type DualProtocolDeviceOptions, type DualProtocolStats } from './dual-device-options.ts';
import { Lwm2mClient, type Lwm2mCounters } from './lwm2m-client.ts';
import { buildDeviceObjects } from './lwm2m-device-objects.ts';
import { FirmwareUpdate } from './lwm2m-firmware.ts';
import { Lwm2mObjectTree } from './lwm2m-object-tree.ts';
import { McuDynamics, type McuResources } from './mcu-dynamics.ts';
import { seedFromString } from './random.ts';
import { SENSOR_KINDS } from './sensor-model.ts';
import { SessionLink } from './session-link.ts';
import { SimClock, type Clock } from './sim-clock.ts';
import { SimulatorError } from './simulator-error.ts';
import { SparkplugEdge, type SparkplugCounters } from './sparkplug-edge.ts';
import { NODE_ZONE, SparkplugMetricCatalog } from './sparkplug-metric-catalog.ts';
import { runSchedule } from './tick-schedule.ts';

export type { DualProtocolDeviceEvents, DualProtocolDeviceOptions, DualProtocolStats } from './dual-device-options.ts';

const HARDWARE_ID = /^[^/+#\s]{1,128}$/;
const MAX_INTERVAL_MS = 86_400_000;

/**
 * A board speaking two protocols over one MQTT session (the seed's "unified connection"): the client id, the
 * Sparkplug edge node id and the LwM2M endpoint are all the hardware id. On every CONNECT it subscribes to STATE,
 * NCMD, DCMD and `lwm2m/{ep}/dn`, registers over LwM2M at once, and births over Sparkplug once the primary host is
 * online. Then DDATA every telemetry interval, a LwM2M update every LwM2M interval.
 */
export class DualProtocolDevice extends EventEmitter<DualProtocolDeviceEvents> {
  readonly protocol = 'dual' as const;
  readonly hardwareId: string;
  readonly board: BoardProfile;
  readonly groupId: string;
  readonly #options: DualProtocolDeviceOptions;
  readonly #clock: Clock;
  readonly #sensors: AttachedSensor[];
  readonly #dynamics: McuDynamics;
  readonly #sp: SparkplugCounters = { sent: 0, acknowledged: 0, errors: 0, commandsAnswered: 0, commandsFailed: 0, births: 0, dataMessages: 0, readings: 0 };
  readonly #lw: Lwm2mCounters = { sent: 0, acknowledged: 0, errors: 0, commandsAnswered: 0, commandsFailed: 0, registrations: 0, updates: 0, notifications: 0, hubAcks: 0 };
  readonly #counters = { errors: 0, reboots: 0 };
  readonly #edge: SparkplugEdge;
  readonly #lwm2m: Lwm2mClient;
  readonly #firmware: FirmwareUpdate;
  #config: { telemetry_interval_ms: number; lwm2m_interval_ms: number };
  #firmwareVersion: string;
  #bootAt = 0;
  #link: SessionLink | null = null;
  #lifecycle: AbortController | null = null;
  #running = false;
  #rebootTimer: NodeJS.Timeout | null = null;
  #startWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(options: DualProtocolDeviceOptions) {
    super();
    if (!HARDWARE_ID.test(options.hardwareId)) throw new SimulatorError('INVALID_OPTIONS', `Invalid hardware id: ${JSON.stringify(options.hardwareId)}`);
    this.#options = options;
    this.hardwareId = options.hardwareId;
    this.board = BOARD_PROFILES[resolveBoard(options.board)];
    this.groupId = options.groupId ?? DEFAULT_GROUP_ID;
    this.#clock = options.clock ?? new SimClock();
    const seed = (options.seed ?? seedFromString(options.hardwareId)) >>> 0;
    this.#sensors = createAttachedSensors(this.hardwareId, this.board, options.sensors ?? SENSOR_KINDS, seed);
    this.#dynamics = new McuDynamics(this.board, seed);
    this.#config = this.#initialConfig();
    this.#firmwareVersion = this.board.firmwareVersion;
    const problem = (error: Error): void => void this.emit('problem', error);
    this.#edge = new SparkplugEdge({
      groupId: this.groupId,
      edgeNodeId: this.hardwareId,
      hostId: options.hostId === undefined ? DEFAULT_HOST_ID : options.hostId,
      clock: this.#clock,
      catalog: new SparkplugMetricCatalog(this.hardwareId, this.#sensors, this.#clock.now(), options.zone),
      counters: this.#sp,
      publish: (topic, payload, qos) => this.#publish(topic, payload, qos, this.#sp),
      onProblem: problem,
      source: { nodeValue: (name) => this.#nodeValue(name), writeNode: (name, value) => this.#writeNode(name, value), reboot: () => void this.#reboot() },
    });
    const tree = new Lwm2mObjectTree();
    this.#lwm2m = new Lwm2mClient({ endpoint: this.hardwareId, tree, counters: this.#lw, publish: (topic, payload, qos) => this.#publish(topic, payload, qos, this.#lw), onProblem: problem });
    this.#firmware = new FirmwareUpdate({
      version: () => this.#firmwareVersion,
      install: (version) => {
        this.#firmwareVersion = version;
      },
      onChange: () => this.#lwm2m.changed(),
      nowS: () => Math.floor(this.#clock.now() / 1000),
      ...(options.firmware?.downloadMs === undefined ? {} : { downloadMs: options.firmware.downloadMs }),
      ...(options.firmware?.updateMs === undefined ? {} : { updateMs: options.firmware.updateMs }),
    });
    buildDeviceObjects(tree, {
      hardwareId: this.hardwareId,
      board: this.board,
      sensors: this.#sensors,
      clock: this.#clock,
      lifetimeS: options.lwm2mLifetimeS ?? 3600,
      pressureObject: options.lwm2mPressureObject ?? 3315,
      resources: () => this.#resources(),
      firmware: this.#firmware,
      firmwareVersion: () => this.#firmwareVersion,
      reboot: () => this.#lwm2m.afterReply(() => void this.#reboot()),
      factoryReset: () => this.#factoryReset(),
      updateTrigger: () => this.#lwm2m.afterReply(() => void this.#lwm2m.update()),
    });
  }

  /** Firmware version now running (/3/0/3); a successful firmware update changes it. */
  get firmwareVersion(): string {
    return this.#firmwareVersion;
  }

  /** Sparkplug device ids of the sensors (`{bus}:{address}`), in wiring order. */
  sparkplugDeviceIds(): string[] {
    return this.#sensors.map((s) => s.hardwareId.slice(this.hardwareId.length + 1));
  }

  stats(): DualProtocolStats {
    return {
      sparkplug: { ...this.#sp },
      lwm2m: { ...this.#lw },
      errors: this.#counters.errors + this.#sp.errors + this.#lw.errors,
      reboots: this.#counters.reboots,
      inFlight: this.#link?.inFlight ?? 0,
      connected: this.#link?.connected ?? false,
      registered: this.#lwm2m.registered,
      born: this.#edge.born,
      bdSeq: this.#edge.bdSeq,
    };
  }

  /** Connect; resolves once the LwM2M Register is acknowledged (Sparkplug births wait for the host, not for this). */
  start(): Promise<void> {
    if (this.#running) return Promise.reject(new SimulatorError('INVALID_OPTIONS', `Already started: ${this.hardwareId}`));
    this.#running = true;
    const started = new Promise<void>((resolve, reject) => (this.#startWaiter = { resolve, reject }));
    this.#boot();
    return started;
  }

  /** Orderly stop: NDEATH (DISCONNECT suppresses the will), LwM2M de-register, then DISCONNECT. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#rebootTimer !== null) clearTimeout(this.#rebootTimer);
    this.#lifecycle?.abort();
    this.#firmware.stop();
    const link = this.#link;
    if (link !== null) {
      const connected = link.connected;
      if (connected) {
        if (this.#options.sparkplug !== false) await withTimeout(this.#edge.announceDeath(), 2000);
        if (this.#options.lwm2m !== false) await withTimeout(this.#lwm2m.deregister(), 2000);
      }
      this.#link = null;
      // Not connected: nothing to DISCONNECT, just stop mqtt.js retrying.
      if (!connected || !(await withTimeout(link.close(), 2000))) await link.destroy();
    }
    this.#edge.sessionEnded();
    this.#lwm2m.sessionEnded();
    this.#startWaiter?.reject(new SimulatorError('STOPPED', `Stopped before registering: ${this.hardwareId}`));
    this.#startWaiter = null;
  }

  #publish(topic: string, payload: string | Uint8Array, qos: 0 | 1, counters: SparkplugCounters | Lwm2mCounters): Promise<boolean> {
    return this.#link?.publish(topic, payload, qos, counters) ?? Promise.resolve(false);
  }

  #boot(): void {
    const lifecycle = new AbortController();
    const { signal } = lifecycle;
    this.#lifecycle = lifecycle;
    this.#bootAt = this.#clock.now();
    this.#dynamics.boot();
    const link = new SessionLink({ ...this.#options, clientId: this.hardwareId, will: () => (this.#options.sparkplug === false ? undefined : this.#edge.nextWill()), maxInFlight: this.#options.maxInFlight ?? 32 }, {
      onMessage: (topic, payload) => void this.#onMessage(topic, payload),
      onConnect: () => void this.#bringUp(link),
      onClose: () => {
        this.#edge.sessionEnded();
        this.#lwm2m.sessionEnded();
      },
      onError: () => void this.#counters.errors++,
    });
    this.#link = link;
    const connected = (): boolean => link.connected;
    void runSchedule({ signal, active: connected, interval: () => this.#config.telemetry_interval_ms, maxBurst: 10 }, async () => {
      if (this.#options.sparkplug !== false) await this.#edge.sendData();
      this.#lwm2m.observations.check();
    });
    void runSchedule({ signal, active: () => this.#lwm2m.registered, interval: () => this.#config.lwm2m_interval_ms, maxBurst: 1 }, async () => {
      await this.#lwm2m.update();
    });
  }

  /** On every CONNECT: reset the Sparkplug session, subscribe, register. The retained STATE then triggers the births. */
  async #bringUp(link: SessionLink): Promise<void> {
    this.#edge.sessionStarted();
    const lwm2m = this.#options.lwm2m !== false;
    try {
      const sparkplug = this.#options.sparkplug !== false;
      await link.subscribe([...(sparkplug ? this.#edge.subscriptions() : []), ...(lwm2m ? this.#lwm2m.subscriptions() : [])]);
      if (lwm2m && !(await this.#lwm2m.register())) return;
    } catch (error) {
      if (this.#link === link) this.#problem(error as Error);
      return;
    }
    this.emit('registered');
    this.#startWaiter?.resolve();
    this.#startWaiter = null;
  }

  async #onMessage(topic: string, payload: Buffer): Promise<void> {
    if (await this.#edge.handle(topic, payload)) return;
    await this.#lwm2m.handle(topic, payload);
  }

  /** Power-cycle: drop the connection without DISCONNECT (the broker publishes NDEATH), come back with bdSeq + 1. */
  async #reboot(): Promise<void> {
    const link = this.#link;
    if (!this.#running || link === null) return;
    const delayMs = this.#options.rebootDelayMs ?? 500;
    this.#counters.reboots++;
    this.#lifecycle?.abort();
    this.#link = null;
    this.emit('rebooting', delayMs);
    await link.destroy();
    this.#edge.sessionEnded();
    this.#lwm2m.sessionEnded();
    if (!this.#running) return;
    this.#rebootTimer = setTimeout(() => {
      this.#rebootTimer = null;
      if (this.#running) this.#boot();
    }, delayMs);
  }

  #resources(): McuResources {
    const now = this.#clock.now();
    const sent = this.#sp.sent + this.#lw.sent;
    return this.#dynamics.resources({ timeMs: now, uptimeMs: now - this.#bootAt, sensorCount: this.#sensors.length, messagesPerSecond: this.#dynamics.observeMessages(now, sent), lowPower: false });
  }

  #nodeValue(name: string): SparkplugMetricValue {
    switch (name) {
      case 'Properties/Hardware Make':
        return String(this.board.staticSchema['manufacturer']);
      case 'Properties/Hardware Model':
        return String(this.board.staticSchema['model']);
      case 'Properties/Firmware Version':
        return this.#firmwareVersion;
      case NODE_ZONE:
        return this.#options.zone ?? '';
      case 'Device/Uptime':
        return Math.floor((this.#clock.now() - this.#bootAt) / 1000);
      case 'Device/Free Heap':
        return this.#resources().freeHeap;
      case 'Device/RSSI':
        return this.#resources().rssiDbm;
      case 'Device/CPU Temperature':
        return this.#resources().cpuTemperatureC;
      case 'Config/telemetry_interval_ms':
        return this.#config.telemetry_interval_ms;
      case 'Config/lwm2m_interval_ms':
        return this.#config.lwm2m_interval_ms;
      default:
        throw new RangeError(`Unknown node metric: ${name}`);
    }
  }

  /** NCMD writes: the two intervals, whole ms in 1..86 400 000; they take effect on the next tick. */
  #writeNode(name: string, value: SparkplugMetricValue): void {
    const key = name === 'Config/telemetry_interval_ms' ? 'telemetry_interval_ms' : name === 'Config/lwm2m_interval_ms' ? 'lwm2m_interval_ms' : null;
    if (key === null) throw new RangeError(`Not a writable node metric: ${name}`);
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms < 1 || ms > MAX_INTERVAL_MS) throw new RangeError(`${name} must be whole ms in 1..${MAX_INTERVAL_MS}, got ${String(value)}`);
    this.#config = { ...this.#config, [key]: ms };
  }

  /** /3/0/5: intervals and sensor settings back to their power-on values. */
  #factoryReset(): void {
    this.#config = this.#initialConfig();
    for (const sensor of this.#sensors) sensor.model.reset();
  }

  #initialConfig(): { telemetry_interval_ms: number; lwm2m_interval_ms: number } {
    return { telemetry_interval_ms: this.#options.telemetryIntervalMs ?? 1000, lwm2m_interval_ms: this.#options.lwm2mIntervalMs ?? 3000 };
  }

  #problem(error: Error): void {
    this.#counters.errors++;
    this.emit('problem', error);
  }
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
