/**
 * A scripted workload that touches every metric the hub declares: a native MCU and a dual-protocol
 * (LwM2M + Sparkplug B) device from the simulator, JSON-RPC calls that succeed and fail, a command,
 * a rejected device message and an MCP tool call. Used by the exposition and Grafana panel tests.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Fleet } from '../../src/simulator/index.ts';
import { eventually } from './eventually.ts';
import { uniqueSuffix } from './services.ts';
import type { TestHub } from './test-hub.ts';

export interface MetricsWorkload {
  /** Hardware ids of the simulated native MCU and dual-protocol device. */
  readonly native: string;
  readonly dual: string;
  stop(): Promise<void>;
}

/** Start the simulated fleet and run the script once; the fleet keeps reporting until stop(). */
export async function runMetricsWorkload(t: TestHub): Promise<MetricsWorkload> {
  const idPrefix = `mw${uniqueSuffix()}`;
  const fleet = new Fleet({
    url: t.mqttUrl,
    count: 2,
    protocol: 'mixed', // one native MCU, one LwM2M + Sparkplug device
    boards: ['esp32-s3'],
    sensors: ['bmp580'],
    idPrefix,
    hostId: t.hub.config.sparkplugHostId,
    groupId: `G${uniqueSuffix()}`,
    telemetryIntervalMs: 100,
    heartbeatIntervalMs: 1000,
    lwm2mIntervalMs: 500,
    connectOptions: { protocolVersion: 4 },
  });
  await fleet.start();
  try {
    return { ...(await script(t, idPrefix)), stop: () => fleet.stop() };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}

async function script(t: TestHub, idPrefix: string): Promise<{ native: string; dual: string }> {
  const ids = await eventually(async () => {
    const list = await t.rpc('device.list', { type: 'mcu', search: idPrefix, include_schema: false });
    const devices: { hardware_id: string; status: string; protocols: string[] }[] = list.result?.devices ?? [];
    const nativeMcu = devices.find((d) => d.protocols.includes('native') && d.status === 'online');
    const dualMcu = devices.find((d) => d.protocols.includes('lwm2m') && d.protocols.includes('sparkplug') && d.status === 'online');
    return nativeMcu && dualMcu ? { native: nativeMcu.hardware_id, dual: dualMcu.hardware_id } : undefined;
  }, 15_000, 'the native MCU and the dual-protocol device online');

  // JSON-RPC over HTTP: a success, an unknown method, invalid params.
  await t.rpc('device.get', { device_id: ids.native });
  await t.rpc('no.such.method', {});
  await t.rpc('device.get', { no_such_param: true });
  // A command the native MCU answers, and one over LwM2M.
  const status = await t.rpc('mcu.get_status', { mcu_id: ids.native });
  if (status.error) throw new Error(`mcu.get_status: ${JSON.stringify(status.error)}`);
  const read = await t.rpc('lwm2m.read', { device_id: ids.dual, path: '/3/0/0' });
  if (read.error) throw new Error(`lwm2m.read: ${JSON.stringify(read.error)}`);
  // A device message the hub rejects (malformed JSON on a native topic).
  const rogue = await t.device(`${idPrefix}-rogue`);
  await rogue.publishAsync(`llmiot/v1/${idPrefix}-rogue/up`, '{not json', { qos: 1 });
  // An MCP client calling a tool over Streamable HTTP.
  const mcp = new Client({ name: 'metrics-workload', version: '1' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`)));
  await mcp.callTool({ name: 'command_history', arguments: {} });
  await mcp.close();
  return ids;
}
