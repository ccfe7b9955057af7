/** Valid JSON-RPC requests to start mutating from: the seed document's examples plus one or more per hub method. */
import { SEED_DATA_QUERY, SEED_DEVICE_REGISTER, SEED_SENSOR_DISCOVER, SEED_SENSOR_READ } from '../fixtures/seed-examples.ts';
import type { Json } from './json-mutator.ts';
import { toJson } from './json-mutator.ts';

const BMP580 = {
  manufacturer: 'Bosch',
  model: 'BMP580',
  sensor_category: 'environmental',
  communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } },
  measurements: [{ measurement_type: 'temperature', unit: 'celsius', range_min: -40, range_max: 85, accuracy: 0.5 }],
};
const ESP32 = { manufacturer: 'Espressif', model: 'ESP32-S3', memory: { flash_total: 8388608, ram_total: 524288 } };

const request = (method: string, params: unknown, id: number | string = 1): Json => toJson({ jsonrpc: '2.0', id, method, params });

/** What a device sends over native MQTT: registration, heartbeats, telemetry, discovery, answers to commands. */
export function deviceMessages(hardwareId: string): Json[] {
  return [
    toJson(SEED_DEVICE_REGISTER),
    toJson(SEED_SENSOR_DISCOVER),
    request('device.register', { device_type: 'mcu', static_schema: ESP32, zone: 'Zone A', tags: ['a', 'b'], heartbeat_interval: 30 }),
    request('device.heartbeat', { dynamic_state: { uptime: 12, free_heap: 1000 } }),
    toJson({ jsonrpc: '2.0', method: 'device.heartbeat', params: {} }),
    request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: 41.5, timestamp: Date.UTC(2026, 0, 1) }, { measurement_type: 'uptime', value: 3, unit: 's' }] }),
    toJson({ jsonrpc: '2.0', method: 'telemetry.report', params: { timestamp: 1767225600000, readings: [{ measurement_type: 'temperature', value: 21.5, unit: 'celsius' }] } }),
    request('sensor.discover', { mcu_id: hardwareId, static_schema: BMP580 }),
    request('sensor.detached', { sensor_id: `${hardwareId}-bmp` }),
    request('device.update', { device_id: hardwareId, name: 'n', zone: 'Zone B' }),
    request('device.deregister', { device_id: hardwareId }),
    request('device.get', { device_id: hardwareId }),
    request('device.list', {}),
    toJson({ jsonrpc: '2.0', id: 'cmd-1', result: { status: 'running', uptime: 5 } }),
    toJson({ jsonrpc: '2.0', id: 'cmd-2', error: { code: -32000, message: 'sensor busy', data: { retry: true } } }),
    toJson([{ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }, { jsonrpc: '2.0', method: 'device.heartbeat', params: {} }]),
  ];
}

/** What an API client sends over HTTP or WebSocket: every hub method, with plausible params. */
export function clientRequests(): Json[] {
  const dev = 'fz-h0';
  return [
    ...deviceMessages(dev).filter((m) => !Array.isArray(m)),
    toJson(SEED_SENSOR_READ),
    toJson(SEED_DATA_QUERY),
    request('device.register', { device_type: 'mcu', static_schema: ESP32, hardware_id: dev }),
    request('device.register', { device_type: 'sensor', static_schema: BMP580, hardware_id: 'fz-h1', parent_id: dev }),
    request('device.list', { filter: { type: 'mcu', zone: 'Zone A', tags: ['a'], status: 'online' }, limit: 10, offset: 0, include_schema: false }),
    request('device.offline', { device_id: dev }),
    request('mcu.get_status', { mcu_id: dev, timeout_ms: 500 }),
    request('mcu.get_config', { mcu_id: dev, keys: ['wifi'] }),
    request('mcu.set_config', { mcu_id: dev, config: { sample_rate: 10 } }),
    request('mcu.reboot', { mcu_id: dev }),
    request('mcu.upload_program', { mcu_id: dev, program: 'print(1)', language: 'micropython' }),
    request('mcu.execute_script', { mcu_id: dev, script: 'x = 1' }),
    request('sensor.scan_bus', { mcu_id: dev, bus: 'i2c' }),
    request('sensor.read', { sensor_id: 'fz-h1' }),
    request('sensor.read_raw', { sensor_id: 'fz-h1', registers: [0x1d] }),
    request('sensor.configure', { sensor_id: 'fz-h1', config: { odr: 50 } }),
    request('sensor.calibrate', { sensor_id: 'fz-h1', reference: { temperature: 21 } }),
    request('sensor.reset', { sensor_id: 'fz-h1' }),
    request('sensor.health', { sensor_id: 'fz-h1' }),
    request('data.query', { device_ids: [dev], measurement_types: ['cpu_temperature'], time_range: { last: '1h' }, aggregation: 'max', interval: '5m', limit: 100 }),
    request('data.query', { filter: { type: 'sensor' }, time_range: { start: 0, end: 1767225600000 } }),
    request('data.latest', { device_ids: [dev] }),
    request('data.latest', {}),
    request('data.export', { device_ids: [dev], format: 'csv', time_range: { last: '1d' } }),
    request('data.subscribe', { device_ids: [dev], measurement_types: ['temperature'] }),
    request('data.unsubscribe', { subscription_id: 'sub-1' }),
    request('batch.execute', { method: 'sensor.read', filter: { model: 'BMP580' }, params: {}, timeout_ms: 500 }),
    request('command.get', { command_id: '550e8400-e29b-41d4-a716-446655440009' }),
    request('command.list', { device_id: dev, state: 'failed', limit: 5 }),
    request('lwm2m.read', { device_id: 'fz-lw-0', path: '/3303/0/5700' }),
    request('lwm2m.write', { device_id: 'fz-lw-0', path: '/3303/0/5750', value: 'x' }),
    request('lwm2m.observe', { device_id: 'fz-lw-0', path: '/3303/0/5700' }),
    request('lwm2m.execute', { device_id: 'fz-lw-0', path: '/3/0/4' }),
    request('lwm2m.write_attributes', { device_id: 'fz-lw-0', path: '/3303/0/5700', attributes: { pmin: 1, pmax: 60 } }),
    request('lwm2m.create', { device_id: 'fz-lw-0', path: '/3303', values: [] }),
    request('lwm2m.delete', { device_id: 'fz-lw-0', path: '/3303/1' }),
    request('device.write_metric', { device_id: 'fz-e0', metric: 'Level', value: 1 }),
    request('rpc.discover', {}),
    request('llm.execute_command', { command: 'read every sensor' }),
    request('approval.decide', { id: 'abc', decision: 'approve' }),
    request('audit.list', { limit: 5 }),
    toJson({ jsonrpc: '2.0', method: 'device.list' }),
    toJson([request('device.list', {}, 1), request('data.latest', {}, 2), { jsonrpc: '2.0', method: 'device.list' }]),
  ];
}
