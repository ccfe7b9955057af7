/** DualProtocolDevice, LwM2M side: registration, update cadence, operations, observe/notify, firmware update, reboot. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceInfoFromObject3, parseRegistration, sensorsFromRegistration } from '../../src/protocols/lwm2m/registration.ts';
import { DualProtocolDevice, type DualProtocolDeviceOptions } from '../../src/simulator/index.ts';
import { DualFakeHost } from './dual-fake-host.ts';

type Json = Record<string, any>;

describe('DualProtocolDevice: LwM2M over MQTT client', () => {
  let host: DualFakeHost;
  const devices: DualProtocolDevice[] = [];
  const device = async (hardwareId: string, options: Partial<DualProtocolDeviceOptions> = {}): Promise<DualProtocolDevice> => {
    const d = new DualProtocolDevice({ hardwareId, board: 'pico', streamBuilder: host.streamBuilder, telemetryIntervalMs: 30, lwm2mIntervalMs: 60_000, rebootDelayMs: 50, firmware: { downloadMs: 40, updateMs: 40 }, ...options });
    devices.push(d);
    await d.start();
    return d;
  };
  const content = (reply: Json): Json[] => reply['data']['content'] as Json[];
  const value = (reply: Json, path: string): unknown => content(reply).find((c) => c['path'] === path)?.['value'];

  before(async () => {
    host = await DualFakeHost.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await host.close();
  });

  it('registers on lwm2m/{ep}/reg with the seed JSON, without waiting for a Sparkplug host', async () => {
    await device('lw-reg');
    const reg = await host.until(() => host.lwm2m('lw-reg', 'reg')[0]);
    assert.equal(reg['endpoint'], 'lw-reg');
    assert.equal(reg['version'], '1.2');
    assert.equal(reg['bindingMode'], 'UQ');
    assert.equal(reg['lifetime'], 3600);
    assert.equal(reg['objects']['3303']['0']['5701'], 'Cel');
    const registration = parseRegistration(reg);
    assert.deepEqual(registration.unknownObjects, []);
    assert.deepEqual(
      registration.objects.map((o) => o.objectId),
      [1, 3, 4, 5, 3303, 3304, 3315],
    );
    const info = deviceInfoFromObject3(registration);
    assert.equal(info?.manufacturer, 'Raspberry Pi');
    assert.equal(info?.model, 'Pico W');
    assert.equal(info?.firmwareVersion, '1.4.2');
    assert.match(info?.serialNumber ?? '', /^SN-[0-9A-F]{8}$/);
    const sensors = sensorsFromRegistration(registration);
    assert.deepEqual(
      sensors.map((s) => [s.measurementType, s.unit]),
      [
        ['temperature', 'Cel'],
        ['soil_moisture', '%'], // IPSO 3304 Humidity whose 5750 Application Type reads "soil moisture (…)"
        ['barometric_pressure', 'hPa'],
      ],
    );
    assert.ok(sensors.every((s) => typeof s.value === 'number'));
    assert.equal(host.sparkplug('lw-reg').length, 0, 'no Sparkplug host online yet');
  });

  it('sends an update every LwM2M interval with the lifetime and only the values that changed; records hub acks', async () => {
    const d = await device('lw-update', { lwm2mIntervalMs: 100 });
    await host.sendDown('lw-update', JSON.stringify({ msgType: 'register', data: { code: '2.01', codeMsg: 'created', ep: 'lw-update' } }));
    // Until four updates went out and one carried a changed temperature (no fixed sleep: a busy machine delays both).
    const started = Date.now();
    const temperatureChanged = (): boolean => host.lwm2m('lw-update', 'update').some((u) => typeof u['objects']?.['3303']?.['0']?.['5700'] === 'number');
    await host.until(() => host.lwm2m('lw-update', 'update').length >= 4 && temperatureChanged(), 10_000);
    const updates = host.lwm2m('lw-update', 'update');
    // One update per 100 ms interval at most (a burst would mean the schedule is broken).
    assert.ok(updates.length <= Math.ceil((Date.now() - started) / 100) + 2, `${updates.length} updates in ${Date.now() - started} ms`);
    for (const update of updates) {
      assert.equal(update['lifetime'], 3600);
      assert.equal(update['objects']?.['3']?.['0']?.['0'], undefined, 'the manufacturer never changes');
    }
    assert.ok(updates.some((u) => typeof u['objects']?.['3303']?.['0']?.['5700'] === 'number'), 'temperature changes show up');
    assert.equal(d.stats().lwm2m.hubAcks, 1);
    assert.equal(host.lwm2m('lw-update', 'up/resp').length, 0, 'acks are not answered');
  });

  it('answers read, discover, write, write-attr, execute, create and delete with the object model rules', async () => {
    const d = await device('lw-ops', { lwm2mIntervalMs: 60_000 });
    const read = await host.request('lw-ops', 'read', { path: '/3/0/1' });
    assert.deepEqual(read, { reqID: read['reqID'], msgType: 'read', data: { reqPath: '/3/0/1', code: '2.05', codeMsg: 'content', content: [{ path: '/3/0/1', value: 'Pico W' }] } });
    const instance = await host.request('lw-ops', 'read', { path: '/3/0' });
    assert.equal(value(instance, '/3/0/0'), 'Raspberry Pi');
    assert.equal(value(instance, '/3/0/6/0'), 0, 'multiple-instance resources read per instance');
    assert.equal(value(instance, '/3/0/4'), undefined, 'executables are not read');
    assert.equal(typeof value(await host.request('lw-ops', 'read', { path: '/3303/0/5700' }), '/3303/0/5700'), 'number');

    const codes = async (msgType: string, data: Json): Promise<string> => (await host.request('lw-ops', msgType, data))['data']['code'] as string;
    assert.equal(await codes('read', { path: '/9/0' }), '4.04');
    assert.equal(await codes('read', { path: '/3/0/22' }), '4.04', 'a resource the device does not implement');
    assert.equal(await codes('read', { path: '/3/0/4' }), '4.05');
    assert.equal(await codes('read', { path: '3/0' }), '4.00');
    assert.equal(await codes('write', { path: '/3/0/0', type: 'String', value: 'ACME' }), '4.05', 'Manufacturer is read-only');
    assert.equal(await codes('write', { path: '/1/0/1', type: 'Integer', value: 'soon' }), '4.00');
    assert.equal(await codes('execute', { path: '/3/0/1' }), '4.05');
    assert.equal(await codes('frobnicate', { path: '/3/0/1' }), '4.00');

    assert.equal(await codes('write', { path: '/3303/0/5750', type: 'String', value: 'bench air' }), '2.04');
    assert.equal(value(await host.request('lw-ops', 'read', { path: '/3303/0/5750' }), '/3303/0/5750'), 'bench air');
    assert.equal(await codes('write', { basePath: '/3/0', content: [{ path: '/14', type: 'String', value: 'UTC+02:00' }, { path: '/3/0/15', type: 'String', value: 'Europe/Paris' }] }), '2.04');
    const tz = await host.request('lw-ops', 'read', { path: '/3/0' });
    assert.deepEqual([value(tz, '/3/0/14'), value(tz, '/3/0/15')], ['UTC+02:00', 'Europe/Paris']);
    assert.equal(await codes('write', { basePath: '/3/0', content: [{ path: '/14', value: 'UTC' }, { path: '/0', value: 'ACME' }] }), '4.05');
    assert.equal(value(await host.request('lw-ops', 'read', { path: '/3/0/14' }), '/3/0/14'), 'UTC+02:00', 'a refused batch changes nothing');

    assert.equal(await codes('write-attr', { path: '/3303/0/5700', pmin: 1, pmax: 30 }), '2.04');
    assert.equal(await codes('write-attr', { path: '/3303/0/5700', pmin: 'often' }), '4.00');
    const discover = await host.request('lw-ops', 'discover', { path: '/3303/0' });
    assert.equal(discover['data']['code'], '2.05');
    assert.ok(content(discover).includes('</3303/0/5700>;pmin=1;pmax=30' as never), JSON.stringify(content(discover)));

    const created = await host.request('lw-ops', 'create', { basePath: '/3303', content: [{ path: '/5750', type: 'String', value: 'spare probe' }] });
    assert.deepEqual([created['data']['code'], created['data']['location']], ['2.01', '/3303/1']);
    assert.equal(value(await host.request('lw-ops', 'read', { path: '/3303/1/5750' }), '/3303/1/5750'), 'spare probe');
    assert.equal(await codes('create', { basePath: '/3', content: [] }), '4.05');
    assert.equal(await codes('delete', { path: '/3303/0' }), '4.05', 'a wired sensor cannot be deleted');
    assert.equal(await codes('delete', { path: '/3303/1' }), '2.02');
    assert.equal(await codes('read', { path: '/3303/1' }), '4.04');

    // /1/0/1 Lifetime is writable; /1/0/8 triggers an update that carries it.
    assert.equal(await codes('write', { path: '/1/0/1', type: 'Integer', value: 120 }), '2.04');
    assert.equal(await codes('execute', { path: '/1/0/8' }), '2.04');
    const update = await host.until(() => host.lwm2m('lw-ops', 'update')[0]);
    assert.equal(update['lifetime'], 120);
    assert.equal(update['objects']['3']['0']['14'], 'UTC+02:00');
    const stats = d.stats().lwm2m;
    assert.equal(stats.commandsAnswered, host.lwm2m('lw-ops', 'up/resp').length);
    assert.ok(stats.commandsFailed >= 12);
  });

  it('observe: answers on up/resp, then notifies changes on up/notify with rising seqNum until cancel-observe', async () => {
    await device('lw-observe', { telemetryIntervalMs: 20 });
    const first = await host.request('lw-observe', 'observe', { path: '/3315/0/5700' });
    assert.equal(first['msgType'], 'observe');
    assert.equal(first['data']['code'], '2.05');
    assert.equal(typeof value(first, '/3315/0/5700'), 'number');
    const notes = await host.until(() => {
      const list = host.lwm2m('lw-observe', 'up/notify');
      return list.length >= 3 && list;
    });
    notes.forEach((n, i) => {
      assert.equal(n['reqID'], first['reqID']);
      assert.equal(n['msgType'], 'notify');
      assert.equal(n['seqNum'], i + 1);
      assert.deepEqual([n['data']['reqPath'], n['data']['code'], n['data']['codeMsg']], ['/3315/0/5700', '2.05', 'content']);
      assert.equal(typeof n['data']['content'][0]['value'], 'number');
    });
    const cancel = await host.request('lw-observe', 'cancel-observe', { path: '/3315/0/5700' });
    assert.equal(cancel['data']['code'], '2.05');
    const count = host.lwm2m('lw-observe', 'up/notify').length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(host.lwm2m('lw-observe', 'up/notify').length, count);
  });

  it('firmware update: Package URI → Downloading → Downloaded; Update → Updating → Idle, result 1, new /3/0/3', async () => {
    const d = await device('lw-fw');
    const code = async (msgType: string, data: Json): Promise<string> => (await host.request('lw-fw', msgType, data))['data']['code'] as string;
    await host.request('lw-fw', 'observe', { path: '/5/0/3' });
    assert.equal(await code('execute', { path: '/5/0/2' }), '4.05', 'Update only in Downloaded');
    assert.equal(await code('write', { path: '/5/0/1', type: 'String', value: 'https://fw.example.com/pico/node-1.5.0.uf2' }), '2.04');
    const states = (): number[] => host.lwm2m('lw-fw', 'up/notify').map((n) => n['data']['content'][0]['value'] as number);
    await host.until(() => states().join() === '1,2');
    assert.equal(await code('execute', { path: '/5/0/2' }), '2.04');
    await host.until(() => states().join() === '1,2,3,0');
    const after = await host.request('lw-fw', 'read', { path: '/5/0' });
    assert.deepEqual([value(after, '/5/0/3'), value(after, '/5/0/5'), value(after, '/5/0/7')], [0, 1, '1.5.0']);
    assert.equal(value(await host.request('lw-fw', 'read', { path: '/3/0/3' }), '/3/0/3'), '1.5.0');
    assert.equal(d.firmwareVersion, '1.5.0');

    // A URI containing "fail" downloads, but its update fails with result 8 and goes back to Downloaded.
    await code('write', { path: '/5/0/1', type: 'String', value: 'https://fw.example.com/pico/fail-1.6.0.uf2' });
    await host.until(() => states().length === 6);
    await code('execute', { path: '/5/0/2' });
    await host.until(() => states().length === 8);
    assert.deepEqual(states().slice(4), [1, 2, 3, 2]);
    assert.equal(value(await host.request('lw-fw', 'read', { path: '/5/0/5' }), '/5/0/5'), 8);
    assert.equal(d.firmwareVersion, '1.5.0');
    assert.equal(await code('write', { path: '/5/0/1', type: 'String', value: 'https://x.example/again.bin' }), '4.05', 'a package is already downloaded');

    // Reset, then an unsupported scheme (result 9) and a non-URI (result 7) fail the download: 1 Downloading, then 0 Idle.
    assert.equal(await code('write', { path: '/5/0/1', type: 'String', value: '' }), '2.04');
    await host.until(() => states().at(-1) === 0);
    for (const [uri, result] of [['ftp://fw.example.com/x.bin', 9], ['not a uri', 7]] as const) {
      const seen = states().length;
      assert.equal(await code('write', { path: '/5/0/1', type: 'String', value: uri }), '2.04');
      await host.until(() => states().length === seen + 2, 1000);
      assert.deepEqual(states().slice(seen), [1, 0]);
      assert.equal(value(await host.request('lw-fw', 'read', { path: '/5/0/5' }), '/5/0/5'), result, uri);
      assert.equal(await code('write', { path: '/5/0/1', type: 'String', value: '' }), '2.04');
    }
  });

  it('execute /3/0/4 answers 2.04, then reboots: a new connection and a new Register', async () => {
    const d = await device('lw-reboot');
    const reply = await host.request('lw-reboot', 'execute', { path: '/3/0/4' });
    assert.equal(reply['data']['code'], '2.04');
    await host.until(() => host.lwm2m('lw-reboot', 'reg').length === 2);
    assert.equal(d.stats().reboots, 1);
    assert.equal(host.connects.filter((c) => c.clientId === 'lw-reboot').length, 2);
  });

  it('de-registers on an orderly stop; malformed requests and hub error notices are counted, not answered', async () => {
    const d = await device('lw-stop');
    await host.sendDown('lw-stop', '{not json');
    await host.sendDown('lw-stop', JSON.stringify({ msgType: 'error', data: { code: '4.00', codeMsg: 'bad_request', reason: 'unknown reqID', reqID: 7 } }));
    await host.until(() => d.stats().errors === 2 && d.stats().lwm2m.hubAcks === 1);
    await d.stop();
    assert.deepEqual(await host.until(() => host.lwm2m('lw-stop', 'dereg')[0]), {});
    assert.equal(host.lwm2m('lw-stop', 'up/resp').length, 0);
  });
});
