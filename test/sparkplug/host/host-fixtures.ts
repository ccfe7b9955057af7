/** Shared fixtures of the Sparkplug host tests: a hub with a unique host id, counters, common BIRTH metrics. */
import type { Hub, HubOptions } from '../../../src/hub.ts';
import type { HubConfig } from '../../../src/config/options.ts';
import { DataType, type SparkplugMetric } from '../../../src/protocols/sparkplug/codec/index.ts';
import { uniqueSuffix } from '../../support/services.ts';
import { startTestHub, type TestHub } from '../../support/test-hub.ts';
import { TestEdgeNode, sparkplugIds } from './edge-node.ts';

/** A test hub whose Sparkplug host id is unique, with a short reorder timeout unless given. */
export function startSparkplugHub(config: Partial<HubConfig> = {}, options: Pick<HubOptions, 'now'> = {}): Promise<TestHub> {
  return startTestHub({ sparkplugHostId: `llmiot-test-${uniqueSuffix()}`, sparkplugReorderTimeoutMs: 300, ...config }, undefined, options);
}

/** Current value of a hub counter child (0 when never incremented). */
export async function counterValue(hub: Hub, name: string, labels: Record<string, string>): Promise<number> {
  const metric = hub.metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return match?.value ?? 0;
}

/** Sum of every child of a hub counter (0 when never incremented). */
export async function counterTotal(hub: Hub, name: string): Promise<number> {
  const metric = hub.metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

export function rejected(hub: Hub, reason: string): Promise<number> {
  return counterValue(hub, 'llmiot_messages_rejected_total', { protocol: 'sparkplug', reason });
}

/** A node with a connection to the test hub's broker and unique ids. */
export async function edgeNode(t: TestHub, prefix: string, options: { bdSeq?: bigint; willQos?: 0 | 1 } = {}): Promise<TestEdgeNode> {
  return TestEdgeNode.connect({ url: t.mqttUrl, ...sparkplugIds(prefix), ...options });
}

/** A small NBIRTH: hardware properties plus a few measurements, two of them aliased. */
export const NODE_METRICS: readonly SparkplugMetric[] = [
  { name: 'Properties/Hardware Make', datatype: DataType.String, value: 'Raspberry Pi' },
  { name: 'Properties/Hardware Model', datatype: DataType.String, value: 'Pi 4 Model B' },
  { name: 'Node Control/Reboot', datatype: DataType.Boolean, value: false },
  { name: 'CPU/Temperature', alias: 1n, datatype: DataType.Float, value: 41.5, properties: { engUnit: { type: DataType.String, value: 'celsius' } } },
  { name: 'Config/Interval', alias: 2n, datatype: DataType.UInt32, value: 1000 },
];

/** A DBIRTH of a pump with scalar metrics of many types. */
export const DEVICE_METRICS: readonly SparkplugMetric[] = [
  { name: 'Inputs/Pressure', alias: 10n, datatype: DataType.Double, value: 1.25, properties: { engUnit: { type: DataType.String, value: 'bar' } } },
  { name: 'Inputs/Offset', alias: 11n, datatype: DataType.Int8, value: -3 },
  { name: 'Counters/Total', alias: 12n, datatype: DataType.UInt64, value: 5n },
  { name: 'Outputs/Setpoint', alias: 13n, datatype: DataType.Float, value: 20 },
  { name: 'Outputs/Running', alias: 14n, datatype: DataType.Boolean, value: false },
  { name: 'Status/Text', alias: 15n, datatype: DataType.String, value: 'idle' },
  { name: 'Status/Since', alias: 16n, datatype: DataType.DateTime, value: 1_700_000_000_000 },
  { name: 'Outputs/Level', alias: 17n, datatype: DataType.Int16, value: 0 },
];
