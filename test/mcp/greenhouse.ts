/** A small greenhouse for the MCP tests: Pico W nodes with a BMP580 and a soil probe that answer hub commands. */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DeviceLink, type TestHub } from '../support/test-hub.ts';

export const BMP580 = {
  manufacturer: 'Bosch',
  model: 'BMP580',
  sensor_category: 'environmental',
  communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } },
  measurements: [
    { measurement_type: 'temperature', unit: 'celsius', range_min: -40, range_max: 85, accuracy: 0.5 },
    { measurement_type: 'pressure', unit: 'hPa', range_min: 300, range_max: 1250, accuracy: 0.5 },
  ],
};
export const SOIL = {
  manufacturer: 'Adafruit',
  model: 'Soil Moisture Sensor',
  sensor_category: 'soil',
  communication: { primary_protocol: 'analog', analog: { pin: 26 } },
  measurements: [{ measurement_type: 'soil_moisture', unit: 'percent', range_min: 0, range_max: 100 }],
};

export interface GreenhouseNode {
  readonly link: DeviceLink;
  readonly hardwareId: string;
  readonly mcuId: string;
  readonly bmp: string;
  readonly soil: string;
  /** Hub commands the node received, by method. */
  received(method: string): any[];
}

/** Register an MCU with two sensors; it answers sensor.read, sensor.configure and mcu.get_status like firmware would. */
export async function greenhouseNode(t: TestHub, hardwareId: string, zone: string): Promise<GreenhouseNode> {
  const link = await t.link(hardwareId);
  const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone, tags: ['greenhouse'] });
  const mcuId: string = reg.result.device_id;
  const bmp: string = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: BMP580 })).result.sensor_id;
  const soil: string = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: SOIL })).result.sensor_id;
  link.onCommand = (method, params) => {
    if (method === 'sensor.read') return { readings: [{ measurement_type: 'temperature', value: 22.5, unit: 'celsius' }] };
    if (method === 'sensor.configure') return { sensor_id: params.sensor_id, config: params.config };
    if (method === 'mcu.get_status') return { status: 'online', uptime: 1234 };
    if (method === 'mcu.reboot') return { rebooting: true };
    throw new Error(`unsupported ${method}`);
  };
  return { link, hardwareId, mcuId, bmp, soil, received: (method) => link.commands.filter((c) => c.method === method) };
}

/** Call a tool and return the result (typed loosely for assertions). */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult & { structuredContent?: any }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The JSON a tool answered (its text content, parsed). */
export function json(result: CallToolResult): any {
  return JSON.parse(text(result));
}

/** The text of a tool result's first content block. */
export function text(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}
