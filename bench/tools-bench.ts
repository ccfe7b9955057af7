/**
 * Size of the MCP tool list as a client receives it (`tools/list` result, JSON bytes and bytes/4 as
 * the token estimate) with 20, 200 and 2,000 simulated devices: the verb tools carry no fleet, so
 * the list must stay the same and under 4,000 tokens whatever the fleet holds. Throws otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log/logger.js';
import { connectInProcess } from '../dist/mcp/index.js';

export const TOKEN_BUDGET = 4_000;

export interface ToolListSize {
  readonly devices: number;
  readonly tools: number;
  readonly bytes: number;
  readonly tokens: number;
}

/** Grow one hub's fleet to each size in turn (an MCU with two sensors per 3 devices) and measure tools/list. */
export async function toolListSizes(sizes: readonly number[] = [20, 200, 2_000]): Promise<ToolListSize[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-tools-bench-'));
  const hub = await createHub({ store: 'sqlite', dataDir, logLevel: 'silent', mqttHost: '127.0.0.1', httpHost: '127.0.0.1' }, { logger: silentLogger });
  const ctx = { transport: 'internal' as const };
  const out: ToolListSize[] = [];
  let registered = 0;
  let mcu = '';
  try {
    for (const size of sizes) {
      while (registered < size) {
        if (registered % 3 === 0) {
          const zone = `Zone ${String.fromCharCode(65 + ((registered / 3) % 26))}`;
          const reg = (await hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: `bench-mcu-${registered}`, static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, zone, tags: ['bench'] }, ctx)) as { device_id: string };
          mcu = reg.device_id;
        } else {
          const address = registered % 3 === 1 ? '0x47' : '0x36';
          const model = registered % 3 === 1 ? 'BMP580' : 'AS5600';
          await hub.dispatcher.invoke('sensor.discover', { mcu_id: mcu, static_schema: { manufacturer: 'Bench', model, communication: { primary_protocol: 'I2C', i2c: { address } } } }, ctx);
        }
        registered++;
      }
      const client = await connectInProcess(hub, { client: new Client({ name: 'tools-bench', version: '1.0.0' }) });
      const listed = await client.listTools();
      await client.close();
      const bytes = Buffer.byteLength(JSON.stringify(listed));
      out.push({ devices: hub.registry.list().length, tools: listed.tools.length, bytes, tokens: Math.ceil(bytes / 4) });
    }
  } finally {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const row of out) if (row.tokens >= TOKEN_BUDGET) throw new Error(`tools/list is ${row.tokens} tokens with ${row.devices} devices (budget ${TOKEN_BUDGET})`);
  return out;
}
