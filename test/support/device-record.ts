/** A Device record for unit tests of rules over devices (policy, envelopes): a Zone A soil sensor unless overridden. */
import type { Device } from '../../src/core/device.ts';

export const deviceRecord = (overrides: Partial<Device>): Device => ({
  id: 'id',
  hardwareId: 'hw',
  type: 'sensor',
  parentId: 'p',
  name: 'n',
  manufacturer: 'Adafruit',
  model: 'Soil Moisture Sensor',
  schemaVersion: '1.0.0',
  staticSchema: {},
  dynamicState: {},
  tags: ['greenhouse'],
  zone: 'Zone A',
  status: 'online',
  protocols: ['native'],
  registeredAt: 0,
  lastSeen: 0,
  heartbeatIntervalMs: null,
  ...overrides,
});
