/**
 * DeviceIngress: the one port every protocol uses to tell core about its devices. The ingress rules
 * live here once: validate the schema then register, a reporting device is seen, a disconnect takes
 * the device offline and fails its pending commands, and only the target may answer a command.
 */
import type { CommandExecutor } from './command-executor.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { Device, DeviceProtocol, DeviceType, JsonObject } from './device.ts';
import { hardwareIdProblem } from './device-id.ts';
import { HubError, type RpcErrorObject } from './errors.ts';
import type { SchemaCheck } from './ports/schema-check.ts';
import type { TelemetryPipeline } from './telemetry-pipeline.ts';
import type { TelemetryPoint } from './telemetry.ts';

/** A device announcing itself (or announcing again) with its static hardware schema. */
export interface Announcement {
  /** MQTT client id / Sparkplug edge node id / LwM2M endpoint, or `{mcu}/{bus}:{address}` for an attached device. */
  readonly hardwareId: string;
  readonly type: DeviceType;
  /** UUID of the MCU a sensor or actuator is attached to; null for an MCU. */
  readonly parentId: string | null;
  readonly protocol: DeviceProtocol;
  /** Checked against `mcu-static` or `sensor-static` (by `type`) before anything is registered. */
  readonly staticSchema: unknown;
  /** Semantic version the schema follows; default the newest the hub knows. */
  readonly schemaVersion?: string;
  /** Checked against the matching `*-dynamic` schema, at the static schema's version. */
  readonly dynamicState?: unknown;
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly zone?: string;
  readonly heartbeatIntervalMs?: number | null;
  /**
   * Leave the registry entry alone when the device is already known over this protocol, under the
   * same parent, with the same static schema (merged with what other protocols announced) and window.
   */
  readonly onlyIfChanged?: boolean;
}

export interface Announced {
  readonly device: Device;
  /** A new device (or a deregistered one back). */
  readonly created: boolean;
  /** The registry entry was written (false when `onlyIfChanged` found nothing new). */
  readonly changed: boolean;
  /** JSON pointers of schema fields the hub does not describe (kept in the document). */
  readonly unknownFields: readonly string[];
}

/** A dynamic-state document a device reported, merged into its state once it passes its schema. */
export interface StateReport {
  readonly document: unknown;
  /** JSON pointer prefix for schema issues, e.g. "/dynamic_state". */
  readonly pathPrefix?: string;
}

/** How an answer to a command was taken; `forwarded`: to the hub instance that waits for it (scale-out). */
export type AnswerOutcome = 'completed' | 'unknown' | 'refused' | 'forwarded';

/** An answer from a device that is neither the command's device nor the MCU it travels through. */
export interface RefusedAnswer {
  readonly commandId: string;
  /** The device the answer came from. */
  readonly from: string;
  /** The device the command is about, and its wire target (its MCU for a sensor). */
  readonly deviceId: string;
  readonly targetId: string;
}

/** What protocols may do to the fleet. Reads go through the registry (`DeviceLookup`). */
export interface DeviceIngress {
  /**
   * Validate the static schema (and dynamic state), then register or merge the device.
   * @throws HubError synchronously when the announcement is refused (INVALID_PARAMS naming the field,
   *   SCHEMA_VERSION_UNSUPPORTED, DEVICE_NOT_FOUND for an unknown parent): nothing is registered then.
   * The promise settles once the registry has the device (STORE_ERROR if it could not persist it).
   */
  announce(announcement: Announcement): Promise<Announced>;
  /**
   * A message came from the device: refresh lastSeen, bring it (and what went offline with it) back
   * online; with `state`, validate it against the device's dynamic schema and merge it.
   * @throws HubError INVALID_PARAMS when the state fails its schema (the device is still seen).
   */
  seen(deviceId: string, state?: StateReport): void;
  /**
   * Telemetry from devices: each reporting device is seen, and the points go to the pipeline.
   * @throws HubError OVERLOADED / SHUTTING_DOWN synchronously (nothing accepted); the promise settles at commit.
   */
  report(points: readonly TelemetryPoint[]): Promise<void>;
  /**
   * The device is gone (connection lost, will, DEATH certificate, expired registration): it and its
   * attached devices go offline, and every command waiting on it or on them fails DEVICE_DISCONNECTED.
   * Idempotent: a second report of the same disconnect fails nothing. Returns the commands failed.
   */
  disconnected(deviceId: string, reason: string, options?: DisconnectOptions): number;
  /**
   * The device's session restarts but its connection stays (a Sparkplug NBIRTH ends its devices'
   * sessions until their DBIRTH): offline with `state` merged, pending commands kept, since the
   * re-announcement may still answer them.
   */
  stale(deviceId: string, state: StateReport): void;
  /** The device says it is gone for good (e.g. a LwM2M object instance deleted): deregistered with its attached devices, history kept. */
  removed(deviceId: string): Promise<void>;
  /**
   * An answer to command `commandId` arrived from device `from` (the device on whose connection or
   * session it came, or on whose behalf its channel answers). Only the command's device or its wire
   * target (the MCU a sensor's commands travel through) may answer; any other answer is refused.
   */
  completed(commandId: string, from: string, outcome: { result: unknown } | { error: RpcErrorObject }): AnswerOutcome;
}

/** How a device went away. */
export interface DisconnectOptions {
  /** Dynamic state to merge (e.g. stale metrics after a Sparkplug DEATH). */
  readonly state?: StateReport;
  /** The protocol whose session ended: only the commands it carries fail. Unset: every pending command. */
  readonly protocol?: string;
}

/** The read side protocols keep: look devices up, never write them. */
export type DeviceLookup = Pick<DeviceRegistry, 'get' | 'getByHardwareId' | 'children'>;

/** Where an answer may complete a command (the only executor feature the ingress needs beside `complete`). */
type CommandCompletion = Pick<CommandExecutor, 'complete' | 'pendingRoute' | 'failPendingFor'>;

export interface CoreIngressOptions {
  readonly registry: DeviceRegistry;
  readonly schemas: SchemaCheck;
  readonly executor: CommandCompletion;
  readonly pipeline: Pick<TelemetryPipeline, 'submit'>;
  /** Told of every refused answer (the hub logs and counts it). */
  readonly onRefusedAnswer?: (refused: RefusedAnswer) => void;
}

/** Static and dynamic schema kinds by device type. */
const staticKind = (type: DeviceType) => (type === 'mcu' ? 'mcu-static' : 'sensor-static');
const dynamicKind = (type: DeviceType) => (type === 'mcu' ? 'mcu-dynamic' : 'sensor-dynamic');

/** The core implementation of DeviceIngress over the registry, schema check, executor and pipeline. */
export class CoreIngress implements DeviceIngress {
  readonly #o: CoreIngressOptions;
  #refusedAnswers = 0;

  constructor(options: CoreIngressOptions) {
    this.#o = options;
  }

  /** Answers refused since start because they came from a device other than the target. */
  get refusedAnswers(): number {
    return this.#refusedAnswers;
  }

  announce(a: Announcement): Promise<Announced> {
    const { registry, schemas } = this.#o;
    if (a.type !== 'mcu' && a.parentId === null) {
      throw new HubError('INVALID_PARAMS', `Invalid params: a ${a.type} needs parent_id (its MCU)`, {
        issues: [{ path: '/parent_id', message: `required for device_type ${a.type}` }],
      });
    }
    if (a.parentId !== null) {
      const parent = registry.require(a.parentId);
      if (parent.type !== 'mcu') {
        throw new HubError('INVALID_PARAMS', `Invalid params: parent_id is a ${parent.type}, expected mcu: ${a.parentId}`, {
          issues: [{ path: '/parent_id', message: `must reference a mcu, got a ${parent.type}` }],
        });
      }
    }
    const idProblem = hardwareIdProblem(a.hardwareId);
    if (idProblem !== undefined) {
      throw new HubError('INVALID_PARAMS', `Invalid params: hardware_id ${idProblem}`, { issues: [{ path: '/hardware_id', message: idProblem }] });
    }
    const checked = schemas.validate(staticKind(a.type), a.staticSchema, a.schemaVersion, '/static_schema');
    const dynamic = a.dynamicState === undefined ? undefined : schemas.validate(dynamicKind(a.type), a.dynamicState, checked.version, '/dynamic_state').document;
    const existing = registry.getByHardwareId(a.hardwareId);
    if (existing !== undefined && existing.id === a.parentId) {
      // e.g. sensor.discover naming the MCU's own hardware id: the device would become its own parent.
      throw new HubError('INVALID_PARAMS', `Invalid params: hardware_id ${a.hardwareId} is the parent device itself`, {
        issues: [{ path: '/hardware_id', message: 'a device cannot be attached to itself' }],
      });
    }
    if (a.onlyIfChanged === true && existing !== undefined && unchanged(existing, a, checked.document)) {
      if (dynamic !== undefined) registry.updateDynamicState(existing.id, dynamic);
      return Promise.resolve({ device: registry.get(existing.id) ?? existing, created: false, changed: false, unknownFields: checked.unknownFields });
    }
    return registry
      .register({
        hardwareId: a.hardwareId,
        type: a.type,
        parentId: a.parentId,
        staticSchema: checked.document,
        schemaVersion: checked.version,
        protocol: a.protocol,
        ...(a.name !== undefined && { name: a.name }),
        ...(a.tags !== undefined && { tags: a.tags }),
        ...(a.zone !== undefined && { zone: a.zone }),
        ...(a.heartbeatIntervalMs !== undefined && { heartbeatIntervalMs: a.heartbeatIntervalMs }),
        ...(dynamic !== undefined && { dynamicState: dynamic }),
      })
      .then(({ device, created }) => ({ device, created, changed: true, unknownFields: checked.unknownFields }));
  }

  seen(deviceId: string, state?: StateReport): void {
    this.#o.registry.touch(deviceId);
    if (state !== undefined) this.#merge(deviceId, state);
  }

  report(points: readonly TelemetryPoint[]): Promise<void> {
    const submitted = this.#o.pipeline.submit(points);
    // Points come grouped by device: touch each device once per run.
    let last: string | undefined;
    for (const point of points) {
      if (point.deviceId === last) continue;
      last = point.deviceId;
      this.#o.registry.touch(point.deviceId);
    }
    return submitted;
  }

  disconnected(deviceId: string, reason: string, options: DisconnectOptions = {}): number {
    const device = this.#o.registry.get(deviceId);
    if (device === undefined || device.status === 'deregistered') return 0;
    this.#o.registry.setStatus(deviceId, 'offline');
    if (options.state !== undefined) this.#merge(deviceId, options.state);
    // A sensor's commands travel through its MCU, so failing the MCU's covers its sensors' too. A
    // protocol's session ending fails only what that protocol carried: a node speaking Sparkplug and
    // LwM2M on one connection answers a LwM2M reboot and dies, and its Sparkplug NDEATH may arrive
    // first; it must not fail the reboot it proves.
    return this.#o.executor.failPendingFor(deviceId, reason, options.protocol);
  }

  stale(deviceId: string, state: StateReport): void {
    const device = this.#o.registry.get(deviceId);
    if (device === undefined || device.status === 'deregistered') return;
    this.#o.registry.setStatus(deviceId, 'offline');
    this.#merge(deviceId, state);
  }

  async removed(deviceId: string): Promise<void> {
    const device = this.#o.registry.get(deviceId);
    if (device === undefined || device.status === 'deregistered') return;
    this.#o.executor.failPendingFor(deviceId, 'device removed');
    await this.#o.registry.deregister(deviceId);
  }

  completed(commandId: string, from: string, outcome: { result: unknown } | { error: RpcErrorObject }): AnswerOutcome {
    const route = this.#o.executor.pendingRoute(commandId);
    if (route === undefined) return 'unknown';
    if (from !== route.targetId && from !== route.deviceId) {
      this.#refusedAnswers++;
      this.#o.onRefusedAnswer?.({ commandId, from, deviceId: route.deviceId, targetId: route.targetId });
      return 'refused';
    }
    return this.#o.executor.complete(commandId, outcome) ? 'completed' : 'unknown';
  }

  // The four schema kinds are versioned together: the device's static version covers its dynamic state.
  #merge(deviceId: string, state: StateReport): void {
    const device = this.#o.registry.require(deviceId);
    const checked = this.#o.schemas.validate(dynamicKind(device.type), state.document, device.schemaVersion, state.pathPrefix);
    this.#o.registry.updateDynamicState(deviceId, checked.document as JsonObject);
  }
}

/** Whether an announcement would leave a known device's registry entry as it is. */
function unchanged(existing: Device, a: Announcement, staticSchema: JsonObject): boolean {
  if (existing.status === 'deregistered' || existing.parentId !== a.parentId || !existing.protocols.includes(a.protocol)) return false;
  if (a.heartbeatIntervalMs !== undefined && a.heartbeatIntervalMs !== existing.heartbeatIntervalMs) return false;
  // The registry merges what several protocols announced; compare against that merge.
  const merged = existing.protocols.some((p) => p !== a.protocol) ? { ...existing.staticSchema, ...staticSchema } : staticSchema;
  return JSON.stringify(merged) === JSON.stringify(existing.staticSchema);
}
