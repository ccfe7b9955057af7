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
  /** Points accepted by the pipeline (before they are committed): for live streams of the points themselves. */
  telemetry: { points: readonly TelemetryPoint[] };
  /**
   * Points a read now sees: committed by this instance's pipeline (store and latest-value cache), or,
   * scaled out, taken from a peer's fan-out into the latest-value cache (the peer commits them to the
   * shared store). For announcements that a document changed, which a client answers by reading it.
   */
  'telemetry.committed': { points: readonly TelemetryPoint[] };
  'command.updated': { command: CommandRecord };
  /** An approval was created, decided, expired, or got its outcome (docs/llm.md). */
  'approval.changed': { approval: Approval };
}
export type HubEventName = keyof HubEvents;
