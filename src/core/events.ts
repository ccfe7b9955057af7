/** Normalized hub events: what every protocol adapter produces and every consumer sees. */
import type { Approval } from './approval.ts';
import type { CommandRecord } from './command.ts';
import type { Device, DeviceStatus } from './device.ts';
import type { TelemetryPoint } from './telemetry.ts';

export interface HubEvents {
  /** A device was registered for the first time or re-registered (schema or metadata changed). */
  'device.registered': { device: Device; created: boolean };
  /** A device's dynamic state or metadata changed. */
  'device.updated': { device: Device };
  'device.status': { device: Device; previous: DeviceStatus };
  'device.removed': { device: Device };
  /** Points accepted by the pipeline (before they are committed). */
  telemetry: { points: readonly TelemetryPoint[] };
  'command.updated': { command: CommandRecord };
  /** An approval was created, decided, expired, or got its outcome (docs/llm.md). */
  'approval.changed': { approval: Approval };
}
export type HubEventName = keyof HubEvents;
