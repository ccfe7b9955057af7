import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, DEFAULT_POLICY, parsePolicy } from '../../src/tools/actuation-policy.ts';
import { deviceRecord } from '../support/device-record.ts';

const device = deviceRecord;

describe('actuation policy', () => {
  it('defaults to reads allowed, writes confirm-first, destructive denied', () => {
    assert.equal(decide(DEFAULT_POLICY, 'read', 'data_query', 'data.query', []).action, 'allow');
    assert.equal(decide(DEFAULT_POLICY, 'write', 'sensor_configure', 'sensor.configure', [device({})]).action, 'confirm');
    assert.equal(decide(DEFAULT_POLICY, 'destructive', 'mcu_reboot', 'mcu.reboot', [device({ type: 'mcu' })]).action, 'deny');
  });

  it('applies the first matching rule per device and the most restrictive over all targets', () => {
    const policy = parsePolicy({
      rules: [
        { tools: ['sensor_configure'], models: ['soil moisture sensor'], action: 'allow' },
        { kind: 'write', zones: ['Zone B'], action: 'deny' },
      ],
    });
    const soilA = device({ hardwareId: 'soil-a' });
    const soilB = device({ hardwareId: 'soil-b', zone: 'Zone B', model: 'BMP580' });
    assert.equal(decide(policy, 'write', 'sensor_configure', 'sensor.configure', [soilA]).action, 'allow');
    const mixed = decide(policy, 'write', 'sensor_configure', 'sensor.configure', [soilA, soilB]);
    assert.equal(mixed.action, 'deny');
    assert.match(mixed.reason, /rule 2 .*soil-b/);
    assert.equal(decide(policy, 'write', 'mcu_set_config', 'mcu.set_config', [device({ type: 'mcu' })]).action, 'confirm');
  });

  it('rejects a malformed policy document naming the field', () => {
    assert.throws(() => parsePolicy({ defaults: { write: 'maybe' } }), /defaults.write must be allow, confirm or deny/);
    assert.throws(() => parsePolicy({ rules: [{ action: 'allow', zone: 'A' }] }), /rules\[0\].zone is not a rule field/);
    assert.throws(() => parsePolicy({ rules: [{ action: 'allow', tools: 'x' }] }), /rules\[0\].tools must be an array of strings/);
  });
});
