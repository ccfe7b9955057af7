// NCMD / DCMD messages the host sends: rebirth requests, reboots and metric writes.
//
// Every command carries a payload timestamp and no seq ([tck-id-topics-ncmd-timestamp],
// [tck-id-payloads-ncmd-seq], [tck-id-topics-dcmd-timestamp], [tck-id-payloads-dcmd-seq]) and goes
// out at QoS 0, not retained ([tck-id-payloads-ncmd-qos], [tck-id-payloads-ncmd-retain], and the DCMD ids).
//
// Written metrics carry the BIRTH name ([tck-id-operational-behavior-data-commands-ncmd-metric-name],
// […-dcmd-metric-name]), the BIRTH alias when there was one ([tck-id-payloads-alias-data-cmd-requirement]),
// and the BIRTH datatype, which the Eclipse TCK's SendCommandTest compares although
// [tck-id-payloads-metric-datatype-not-req] says SHOULD NOT. The spec asks both for the name
// (Ch5) and for the alias alone (Ch6); sending both is what every edge implementation resolves.

import { encodePayload } from '../codec/codec.ts';
import { DataType } from '../codec/datatypes.ts';
import { formatTopic } from '../codec/topic.ts';
import type { SparkplugMetric, SparkplugScalarValue } from '../codec/types.ts';
import type { MetricDefinition } from './metric-catalog.ts';

/** The rebirth endpoint every NBIRTH declares ([tck-id-operational-behavior-data-commands-rebirth-name]). */
export const REBIRTH_METRIC = 'Node Control/Rebirth';
/** The conventional reboot endpoint (Tahu, Ignition); a node announces it in its NBIRTH when it has one. */
export const REBOOT_METRIC = 'Node Control/Reboot';

/** One metric write: the BIRTH definition and the typed value. */
export interface MetricWrite {
  readonly definition: MetricDefinition;
  readonly value: SparkplugScalarValue;
}

/** `spBv1.0/{group}/NCMD/{node}` or `spBv1.0/{group}/DCMD/{node}/{device}`. */
export function commandTopic(groupId: string, edgeNodeId: string, deviceId?: string): string {
  return deviceId === undefined
    ? formatTopic({ kind: 'node', groupId, messageType: 'NCMD', edgeNodeId })
    : formatTopic({ kind: 'device', groupId, messageType: 'DCMD', edgeNodeId, deviceId });
}

/**
 * A rebirth request: NCMD with `Node Control/Rebirth` = true, Boolean, never aliased
 * ([tck-id-operational-behavior-data-commands-ncmd-rebirth-verb], […-ncmd-rebirth-name], […-ncmd-rebirth-value]).
 */
export function rebirthPayload(timestamp: number): Uint8Array {
  return encodePayload({ timestamp, metrics: [{ name: REBIRTH_METRIC, datatype: DataType.Boolean, value: true, timestamp }] });
}

/** A command writing `writes` ([tck-id-topics-ncmd-payload], [tck-id-topics-dcmd-payload]). */
export function writePayload(timestamp: number, writes: readonly MetricWrite[]): Uint8Array {
  const metrics: SparkplugMetric[] = writes.map(({ definition, value }) => ({
    name: definition.name,
    ...(definition.alias !== undefined && { alias: definition.alias }),
    datatype: definition.datatype,
    timestamp,
    value,
  }));
  return encodePayload({ timestamp, metrics });
}
