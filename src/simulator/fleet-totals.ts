/** Fleet counters: one shape for native MCUs and dual-protocol devices, summed overall and per protocol. */
import type { DualProtocolDevice } from './dual-protocol-device.ts';
import type { SimulatedMcu } from './simulated-mcu.ts';

/** Any member of a fleet. */
export type FleetDevice = SimulatedMcu | DualProtocolDevice;

/** What a fleet device speaks: the native LLM-IoT protocol, or Sparkplug B + LwM2M on one connection. */
export type DeviceProtocol = 'native' | 'dual';
export const DEVICE_PROTOCOLS: readonly DeviceProtocol[] = ['native', 'dual'];

/** Wire protocols a summary reports on; a dual device counts in both `sparkplug` and `lwm2m`. */
export type WireProtocol = 'native' | 'sparkplug' | 'lwm2m';

/** Counters summed over devices. */
export interface FleetTotals {
  readonly mcus: number;
  /** Native: `device.register` answered; dual: LwM2M Register acknowledged. */
  readonly registered: number;
  readonly sent: number;
  readonly acknowledged: number;
  /** Native: JSON-RPC responses from the hub; dual: the hub's LwM2M register/update acknowledgements. */
  readonly responses: number;
  readonly commandsAnswered: number;
  readonly commandsFailed: number;
  /** Native: telemetry.report; dual: NDATA + DDATA + LwM2M updates. */
  readonly telemetryMessages: number;
  readonly readings: number;
  readonly errors: number;
  readonly reboots: number;
}

/** One wire protocol's share of the traffic. */
export interface ProtocolTotals {
  /** Devices speaking it. */
  readonly devices: number;
  /** Native and LwM2M: registered now; Sparkplug: born (NBIRTH sent, host online) now. */
  readonly active: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly commandsAnswered: number;
  readonly commandsFailed: number;
  /** Native: telemetry.report; Sparkplug: NDATA + DDATA; LwM2M: updates. */
  readonly telemetryMessages: number;
}

/** Live state of one device beside its counters. */
export interface DeviceSnapshot extends FleetTotals {
  readonly connected: boolean;
  readonly inFlight: number;
  readonly perProtocol: Readonly<Partial<Record<WireProtocol, ProtocolTotals>>>;
}

/** Counters of one device in the common shape. */
export function snapshotDevice(device: FleetDevice): DeviceSnapshot {
  const s = device.stats();
  if ('sparkplug' in s) {
    const { sparkplug: sp, lwm2m: lw } = s;
    const protocol = (active: boolean, p: typeof sp | typeof lw, telemetry: number): ProtocolTotals => ({
      devices: 1,
      active: active ? 1 : 0,
      sent: p.sent,
      acknowledged: p.acknowledged,
      commandsAnswered: p.commandsAnswered,
      commandsFailed: p.commandsFailed,
      telemetryMessages: telemetry,
    });
    return {
      mcus: 1,
      registered: s.registered ? 1 : 0,
      sent: sp.sent + lw.sent,
      acknowledged: sp.acknowledged + lw.acknowledged,
      responses: lw.hubAcks,
      commandsAnswered: sp.commandsAnswered + lw.commandsAnswered,
      commandsFailed: sp.commandsFailed + lw.commandsFailed,
      telemetryMessages: sp.dataMessages + lw.updates,
      readings: sp.readings,
      errors: s.errors,
      reboots: s.reboots,
      connected: s.connected,
      inFlight: s.inFlight,
      perProtocol: { sparkplug: protocol(s.born, sp, sp.dataMessages), lwm2m: protocol(s.registered, lw, lw.updates) },
    };
  }
  const native: ProtocolTotals = {
    devices: 1,
    active: s.registered ? 1 : 0,
    sent: s.sent,
    acknowledged: s.acknowledged,
    commandsAnswered: s.commandsAnswered,
    commandsFailed: s.commandsFailed,
    telemetryMessages: s.telemetryMessages,
  };
  const { inFlight, connected, registered, ...counters } = s;
  return { mcus: 1, ...counters, registered: registered ? 1 : 0, connected, inFlight, perProtocol: { native } };
}

/** Sum of the counters (without the live fields). */
export function sumTotals(snapshots: readonly DeviceSnapshot[]): FleetTotals {
  const keys = ['mcus', 'registered', 'sent', 'acknowledged', 'responses', 'commandsAnswered', 'commandsFailed', 'telemetryMessages', 'readings', 'errors', 'reboots'] as const;
  const total = Object.fromEntries(keys.map((key) => [key, 0])) as Record<(typeof keys)[number], number>;
  for (const snapshot of snapshots) for (const key of keys) total[key] += snapshot[key];
  return total;
}

/** Per-protocol sums; protocols no device speaks are left out. */
export function sumPerProtocol(snapshots: readonly DeviceSnapshot[]): Partial<Record<WireProtocol, ProtocolTotals>> {
  const out: Partial<Record<WireProtocol, Record<keyof ProtocolTotals, number>>> = {};
  for (const snapshot of snapshots) {
    for (const [protocol, totals] of Object.entries(snapshot.perProtocol) as [WireProtocol, ProtocolTotals][]) {
      const sum = (out[protocol] ??= { devices: 0, active: 0, sent: 0, acknowledged: 0, commandsAnswered: 0, commandsFailed: 0, telemetryMessages: 0 });
      for (const key of Object.keys(sum) as (keyof ProtocolTotals)[]) sum[key] += totals[key];
    }
  }
  return out;
}

/** `native 120/120  sparkplug 300/300  lwm2m 40/40` (sent/acknowledged), for the progress line. */
export function formatPerProtocol(perProtocol: Readonly<Partial<Record<WireProtocol, ProtocolTotals>>>): string {
  return (['native', 'sparkplug', 'lwm2m'] as const)
    .flatMap((protocol) => {
      const totals = perProtocol[protocol];
      return totals === undefined ? [] : [`${protocol} ${totals.sent}/${totals.acknowledged}`];
    })
    .join('  ');
}
