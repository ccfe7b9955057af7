/**
 * `device.list` at fleet scale: 10,000 devices (an MCU with two sensors per 3 devices, 20 zones),
 * the first page of 100 with no filter, with a zone filter, and with a zone filter and an offset
 * into the middle, through the dispatcher as a JSON-RPC call runs it. The baseline, measured in the
 * same run, is `device.get` of one device: what a call costs before the fleet's size matters. Reports
 * the median of each and its ratio to the baseline.
 */
import { createHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log/logger.js';

export interface DeviceListCase {
  readonly name: string;
  readonly medianMs: number;
  /** medianMs / the baseline's. */
  readonly ratio: number;
  /** Devices the filter selected (`total`). */
  readonly total: number;
}

const ctx = { transport: 'internal' as const };

/** Median ms of `runs` calls (after `warm` unmeasured ones). */
async function median(call: () => Promise<unknown>, runs: number, warm = 5): Promise<number> {
  for (let i = 0; i < warm; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

export async function deviceListBench(devices = 10_000, zones = 20, runs = 100): Promise<DeviceListCase[]> {
  const hub = await createHub({ store: 'memory', logLevel: 'silent', mqttHost: '127.0.0.1', httpHost: '127.0.0.1' }, { logger: silentLogger });
  try {
    let mcu = '';
    for (let i = 0; i < devices; i++) {
      if (i % 3 === 0) {
        const zone = `Zone ${String((i / 3) % zones).padStart(2, '0')}`;
        mcu = ((await hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: `list-mcu-${i}`, static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, zone, tags: ['bench'] }, ctx)) as { device_id: string }).device_id;
      } else {
        const model = i % 3 === 1 ? 'BMP580' : 'AS5600';
        await hub.dispatcher.invoke('sensor.discover', { mcu_id: mcu, static_schema: { manufacturer: 'Bench', model, communication: { primary_protocol: 'I2C', i2c: { address: i % 3 === 1 ? '0x47' : '0x36' } } } }, ctx);
      }
    }
    const one = hub.registry.list({ type: 'mcu' })[0]?.id ?? '';
    const cases: Array<[string, Record<string, unknown>]> = [
      ['device.list, no filter, first 100', { limit: 100 }],
      ['device.list, zone filter, first 100', { zone: 'Zone 07', limit: 100 }],
      ['device.list, zone filter, page 3 of 100', { zone: 'Zone 07', limit: 100, offset: 200 }],
    ];
    const baseline = await median(() => hub.dispatcher.invoke('device.get', { device_id: one }, ctx), runs);
    const out: DeviceListCase[] = [{ name: 'device.get (baseline)', medianMs: baseline, ratio: 1, total: 1 }];
    for (const [name, params] of cases) {
      const { total } = (await hub.dispatcher.invoke('device.list', params, ctx)) as { total: number };
      const ms = await median(() => hub.dispatcher.invoke('device.list', params, ctx), runs);
      out.push({ name, medianMs: ms, ratio: ms / baseline, total });
    }
    return out;
  } finally {
    await hub.close();
  }
}
