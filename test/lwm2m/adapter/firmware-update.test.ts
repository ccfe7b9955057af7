/** mcu.upload_program on a LwM2M device: Object 5 driven and checked with the firmware state machine. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';
import { coded, content, type Downlink, rpcError, ScriptedDevice } from './scripted-device.ts';

const STATE = '/5/0/3';
const RESULT = '/5/0/5';

/** A device whose Object 5 is at `state` / `result` and that acts on writes and executes as `plan` says. */
function firmwareDevice(device: ScriptedDevice, start: { state: number; result: number }, plan: 'succeed' | 'download-fails' | 'update-fails'): void {
  const observes = new Map<string, Downlink>();
  const notify = (path: string, value: number): void => {
    const observe = observes.get(path);
    if (observe !== undefined) device.notify(observe, [{ path, value }]);
  };
  device.script = (request) => {
    switch (request.msgType) {
      case 'observe':
        observes.set(request.data.path, request);
        return content([{ path: request.data.path, value: request.data.path === STATE ? start.state : start.result }]);
      case 'cancel-observe':
        observes.delete(request.data.path);
        return content([]);
      case 'write':
        setTimeout(() => {
          notify(STATE, 1);
          if (plan === 'download-fails') {
            notify(STATE, 0);
            notify(RESULT, 7);
          } else {
            notify(STATE, 2);
          }
        }, 20);
        return coded('2.04', 'changed');
      case 'execute':
        setTimeout(() => {
          notify(STATE, 3);
          if (plan === 'update-fails') {
            notify(STATE, 2);
            notify(RESULT, 8);
          } else {
            notify(STATE, 0);
            notify(RESULT, 1);
          }
        }, 20);
        return coded('2.04', 'changed');
      default:
        return coded('4.05', 'method_not_allowed');
    }
  };
}

describe('LwM2M firmware update through mcu.upload_program', () => {
  let t: TestHub;
  let device: ScriptedDevice;
  const endpoint = 'fw-node-1';
  before(async () => {
    t = await startTestHub({ commandTimeout: 5000 });
    device = await ScriptedDevice.connect(t, endpoint);
    await device.register({
      endpoint,
      lifetime: 300,
      version: '1.2',
      objects: { '3': { '0': { '0': 'Acme', '1': 'FW-1', '3': '2.0.0' } }, '5': { '0': { '1': '', '3': 0, '5': 0, '8': [2, 3], '9': 0 } } },
    });
  });
  after(async () => t.close());

  it('happy path: observe State and Result, write the Package URI, execute Update once Downloaded, succeed on result 1', async () => {
    firmwareDevice(device, { state: 0, result: 0 }, 'succeed');
    const answer = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'https://fw.example/pkg-2.1.0.bin', version: '2.1.0' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.deepEqual(answer.result, { accepted: true, version: '2.1.0', package_uri: 'https://fw.example/pkg-2.1.0.bin', state: 0, update_result: 1, update_result_name: 'Success' });
    const steps = device.requests().map((r) => `${r.msgType} ${r.data.path}`);
    assert.deepEqual(steps.slice(0, 4), ['observe /5/0/3', 'observe /5/0/5', 'write /5/0/1', 'execute /5/0/2']);
    assert.deepEqual(device.requests('write')[0]?.data, { path: '/5/0/1', type: 'String', value: 'https://fw.example/pkg-2.1.0.bin' });
    await eventually(() => device.requests('cancel-observe').length === 2, 5000, 'observations released');
    assert.deepEqual(device.requests('cancel-observe').map((r) => r.data.path).sort(), [STATE, RESULT]);
    const states = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [endpoint], measurement_types: ['firmware_update_state'], order: 'asc' });
      const values = r.result?.series?.[0]?.points?.map((p: any) => p.value) ?? [];
      return values.length >= 6 ? values : undefined;
    }, 5000, 'State stored as telemetry');
    assert.deepEqual(states, [0, 0, 1, 2, 3, 0], 'registered, observed, then every notification');
    const commands = await t.rpc('command.list', { device_id: endpoint, method: 'mcu.upload_program' });
    assert.equal(commands.result.commands[0].state, 'succeeded');
  });

  it('a failed download (result 7) fails the command with the Update Result', async () => {
    device.downlinks.length = 0;
    firmwareDevice(device, { state: 0, result: 1 }, 'download-fails');
    const answer = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'https://fw.example/missing.bin' });
    assert.equal(answer.error?.code, -32004, JSON.stringify(answer));
    const failure = rpcError(answer).data.device_error;
    assert.match(failure.message, /firmware download failed: Update Result 7 \(InvalidUri\)/);
    assert.deepEqual(failure.data, { package_uri: 'https://fw.example/missing.bin', state: 0, update_result: 7, update_result_name: 'InvalidUri' });
    assert.equal(device.requests('execute').length, 0, 'Update is never executed after a failed download');
    await eventually(() => device.requests('cancel-observe').length === 2, 5000, 'observations released');
  });

  it('a failed update (result 8) fails the command; the device stays Downloaded', async () => {
    device.downlinks.length = 0;
    firmwareDevice(device, { state: 0, result: 0 }, 'update-fails');
    const answer = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'https://fw.example/pkg-fail.bin' });
    assert.equal(answer.error?.code, -32004, JSON.stringify(answer));
    assert.match(rpcError(answer).data.device_error.message, /firmware update failed: Update Result 8 \(UpdateFailed\)/);
    assert.equal(rpcError(answer).data.device_error.data.state, 2);
    await eventually(() => device.requests('cancel-observe').length === 2, 5000, 'observations released');
  });

  it('refuses to start while the device is already downloading (state machine: write only from Idle)', async () => {
    device.downlinks.length = 0;
    firmwareDevice(device, { state: 1, result: 0 }, 'succeed');
    const answer = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'https://fw.example/pkg-2.2.0.bin' });
    assert.equal(answer.error?.code, -32004, JSON.stringify(answer));
    assert.match(rpcError(answer).data.device_error.message, /firmware update refused: illegal firmware update transition: write-package-uri in state 1/);
    assert.equal(device.requests('write').length, 0);
    await eventually(() => device.requests('cancel-observe').length === 2, 5000, 'probe observations released');
  });

  it('refuses a program that is not a package URI, or a scheme /5/0/8 does not list', async () => {
    device.downlinks.length = 0;
    const notUri = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'print("hello")' });
    assert.equal(notUri.error?.code, -32004);
    assert.equal(rpcError(notUri).data.device_error.code, -32602);
    assert.match(rpcError(notUri).data.device_error.message, /package URI/);
    const ftp = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'ftp://fw.example/pkg.bin' });
    assert.match(rpcError(ftp).data.device_error.message, /scheme ftp is not supported by fw-node-1; \/5\/0\/8 lists http, https/);
    assert.deepEqual(device.requests(), [], 'nothing was sent');
  });

  it('times out when the device never reports a result, and releases its observations', async () => {
    device.downlinks.length = 0;
    device.script = (request) => (request.msgType === 'observe' ? content([{ path: request.data.path, value: 0 }]) : request.msgType === 'write' ? coded('2.04', 'changed') : content([]));
    const answer = await t.rpc('mcu.upload_program', { mcu_id: endpoint, program: 'https://fw.example/slow.bin', timeout_ms: 500 });
    assert.equal(answer.error?.code, -32003, JSON.stringify(answer));
    await eventually(() => device.requests('cancel-observe').length === 2, 5000, 'observations released after the timeout');
  });
});
