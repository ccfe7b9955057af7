/**
 * One hub instance of the scale-out benchmark, run as a child process (so each instance's CPU time is
 * its own): argv <configJson> <devices>. With devices > 0 it registers that many MCUs with their
 * sensors first and prints {"sensors": {...}}. Then it prints {"ready": true} and, every 100 ms,
 * {"committed": n, "cpuMs": n}. SIGTERM closes it.
 */
import { createHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log/logger.js';

const [configJson, devicesText = '0'] = process.argv.slice(2);
const hub = await createHub(JSON.parse(configJson as string) as Record<string, unknown>, { logger: silentLogger });
const devices = Number(devicesText);
if (devices > 0) {
  const sensors: Record<string, string[]> = {};
  const ctx = { transport: 'internal' as const };
  for (let i = 0; i < devices; i++) {
    const clientId = `esp32-scale-${String(i).padStart(3, '0')}`;
    const reg = (await hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: clientId, static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } }, ctx)) as { device_id: string };
    const bmp = (await hub.dispatcher.invoke('sensor.discover', { mcu_id: reg.device_id, static_schema: { manufacturer: 'Bosch', model: 'BMP580', communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } } } }, ctx)) as { sensor_id: string };
    sensors[clientId] = [bmp.sensor_id, bmp.sensor_id, reg.device_id];
  }
  process.stdout.write(`${JSON.stringify({ sensors })}\n`);
}
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const report = (): void => {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ committed: hub.pipeline.stats().committed, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
};
const timer = setInterval(report, 100);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void hub.close().then(() => process.exit(0));
});
