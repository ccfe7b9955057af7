/** DualProtocolDevice, Sparkplug B side: STATE gating, births, bdSeq/seq rules, will = NDEATH, rebirth, reboot, metric writes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataType, decodePayload, resolveMetricValue, type SparkplugMetric, type SparkplugPayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { DualProtocolDevice, type DualProtocolDeviceOptions } from '../../src/simulator/index.ts';
import { DualFakeHost } from './dual-fake-host.ts';

const DEVICES = ['i2c:0x47', 'i2c:0x36', 'analog:gpio1'];

function metric(payload: SparkplugPayload, name: string): SparkplugMetric {
  const found = payload.metrics.find((m) => m.name === name);
  assert.ok(found, `metric ${name} in ${payload.metrics.map((m) => m.name).join(', ')}`);
  return found;
}

/** alias → {name, datatype} over an NBIRTH and its DBIRTHs. */
function aliasMap(births: readonly SparkplugPayload[]): Map<bigint, { name: string; datatype: number }> {
  const map = new Map<bigint, { name: string; datatype: number }>();
  for (const birth of births) for (const m of birth.metrics) if (m.alias !== undefined) map.set(m.alias, { name: m.name ?? '', datatype: m.datatype ?? 0 });
  return map;
}

/** The seq of every NBIRTH/DBIRTH/NDATA/DDATA of `edge`, in arrival order. */
function seqs(host: DualFakeHost, edge: string): number[] {
  return host
    .sparkplug(edge)
    .filter((m) => m.topic.messageType !== 'NDEATH')
    .map((m) => Number(m.payload.seq));
}

describe('DualProtocolDevice: Sparkplug B edge node', () => {
  let host: DualFakeHost;
  const devices: DualProtocolDevice[] = [];
  const device = (hardwareId: string, options: Partial<DualProtocolDeviceOptions> = {}): DualProtocolDevice => {
    const d = new DualProtocolDevice({ hardwareId, board: 'esp32-s3', streamBuilder: host.streamBuilder, telemetryIntervalMs: 40, lwm2mIntervalMs: 60_000, rebootDelayMs: 50, connectOptions: { reconnectPeriod: 50 }, ...options });
    devices.push(d);
    return d;
  };

  before(async () => {
    host = await DualFakeHost.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await host.close();
  });

  it('waits for the host STATE, then NBIRTH (seq 0, bdSeq, Node Control, Properties) and a DBIRTH per sensor; will = NDEATH', async () => {
    const d = device('sp-birth');
    await d.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(host.sparkplug('sp-birth').length, 0, 'no Sparkplug message before the host is online');
    await host.state(true);
    await host.until(() => host.sparkplug('sp-birth', 'DDATA').length >= 6);

    const nbirth = host.sparkplug('sp-birth', 'NBIRTH')[0]?.payload;
    assert.ok(nbirth);
    assert.equal(nbirth.seq, 0n); // [tck-id-topics-nbirth-seq-num]
    assert.equal(metric(nbirth, 'bdSeq').value, 0n);
    assert.equal(metric(nbirth, 'bdSeq').datatype, DataType.Int64);
    for (const name of ['Node Control/Rebirth', 'Node Control/Reboot']) {
      assert.equal(metric(nbirth, name).value, false);
      assert.equal(metric(nbirth, name).datatype, DataType.Boolean);
      assert.equal(metric(nbirth, name).alias, undefined, `${name} is never aliased`);
    }
    assert.equal(metric(nbirth, 'Properties/Hardware Make').value, 'Espressif');
    assert.equal(metric(nbirth, 'Properties/Hardware Model').value, 'ESP32-S3');
    assert.equal(metric(nbirth, 'Config/telemetry_interval_ms').value, 40);

    const dbirths = host.sparkplug('sp-birth', 'DBIRTH');
    assert.deepEqual(
      dbirths.map((m) => (m.topic.kind === 'device' ? m.topic.deviceId : '')),
      DEVICES,
    );
    for (const { payload } of dbirths) {
      for (const m of payload.metrics) {
        assert.ok(m.name !== undefined && m.alias !== undefined && m.datatype !== undefined, `name, alias, datatype on ${m.name}`);
        assert.equal(m.properties?.['engUnit']?.type, DataType.String, `engUnit on ${m.name}`);
        assert.ok(m.properties?.['engUnit']?.value !== '', `a non-empty engUnit on ${m.name} (hardware schemas need a unit)`);
      }
    }
    const bmp = dbirths[0]?.payload;
    assert.ok(bmp);
    assert.equal(metric(bmp, 'Sensors/temperature').properties?.['engUnit']?.value, 'Cel');
    assert.equal(metric(bmp, 'Sensors/pressure').properties?.['engUnit']?.value, 'hPa');
    assert.equal(metric(bmp, 'Properties/Hardware Model').value, 'BMP580');
    assert.equal(metric(bmp, 'Config/pressure_oversampling').datatype, DataType.Int32);

    const births = [nbirth, ...dbirths.map((m) => m.payload)];
    const aliases = aliasMap(births);
    const aliased = births.flatMap((b) => b.metrics.filter((m) => m.alias !== undefined));
    assert.equal(aliases.size, aliased.length, 'aliases unique across the node and its devices');

    // DDATA: alias only, no datatype; values typed with the BIRTH datatype.
    const ddata = host.sparkplug('sp-birth', 'DDATA', 'i2c:0x47')[0]?.payload;
    assert.ok(ddata);
    for (const m of ddata.metrics) {
      assert.equal(m.name, undefined);
      assert.equal(m.datatype, undefined);
      assert.ok(m.timestamp !== undefined);
    }
    const temperature = ddata.metrics.find((m) => aliases.get(m.alias ?? -1n)?.name === 'Sensors/temperature');
    assert.ok(temperature?.value !== undefined);
    const celsius = resolveMetricValue(temperature.value, DataType.Double);
    assert.ok(typeof celsius === 'number' && celsius > -40 && celsius < 85);
    const ndata = host.sparkplug('sp-birth', 'NDATA')[0]?.payload;
    const rssi = ndata?.metrics.find((m) => aliases.get(m.alias ?? -1n)?.name === 'Device/RSSI');
    assert.ok(rssi?.value !== undefined);
    assert.ok((resolveMetricValue(rssi.value, DataType.Int32) as number) < 0, 'Int32 RSSI is negative once typed by its BIRTH datatype');

    // seq: 0 at NBIRTH, +1 on every node message after it.
    const seen = seqs(host, 'sp-birth');
    seen.forEach((seq, i) => assert.equal(seq, i % 256));

    const will = host.connects.find((c) => c.clientId === 'sp-birth')?.will;
    assert.ok(will);
    assert.equal(will.topic, 'spBv1.0/IIoT/NDEATH/sp-birth');
    assert.equal(will.qos, 1);
    assert.equal(will.retain, false);
    const death = decodePayload(will.payload);
    assert.equal(death.seq, undefined, 'NDEATH has no seq');
    assert.equal(metric(death, 'bdSeq').value, 0n);
  });

  it('wraps seq from 255 to 0 across NDATA and DDATA', async () => {
    await host.state(true);
    const d = device('sp-wrap', { telemetryIntervalMs: 2, sensors: ['bmp580'] });
    await d.start();
    await host.until(() => host.sparkplug('sp-wrap').length >= 300, 8000);
    const seen = seqs(host, 'sp-wrap');
    seen.forEach((seq, i) => assert.equal(seq, i % 256, `message ${i}`));
    assert.ok(seen.includes(255) && seen.lastIndexOf(0) > seen.indexOf(255));
  });

  it('on an abrupt disconnect the broker sends the NDEATH will; the reconnect births with a fresh bdSeq', async () => {
    await host.state(true);
    const d = device('sp-drop', { sensors: ['bmp580'] });
    await d.start();
    await host.until(() => host.sparkplug('sp-drop', 'DDATA').length > 0);
    host.kill('sp-drop');
    const death = await host.until(() => host.sparkplug('sp-drop', 'NDEATH')[0]?.payload);
    assert.equal(metric(death, 'bdSeq').value, 0n);
    await host.until(() => host.sparkplug('sp-drop', 'NBIRTH').length === 2);
    const rebirth = host.sparkplug('sp-drop', 'NBIRTH')[1]?.payload;
    assert.ok(rebirth);
    assert.equal(rebirth.seq, 0n);
    assert.equal(metric(rebirth, 'bdSeq').value, 1n, 'bdSeq + 1 on the new CONNECT');
    const wills = host.connects.filter((c) => c.clientId === 'sp-drop').map((c) => metric(decodePayload(c.will?.payload ?? Buffer.alloc(0)), 'bdSeq').value);
    assert.deepEqual(wills, [0n, 1n], 'each CONNECT carries its own NDEATH will');
    assert.equal(d.stats().bdSeq, 1);
  });

  it('NCMD Node Control/Rebirth: NBIRTH with the same bdSeq and seq 0, then every DBIRTH again', async () => {
    await host.state(true);
    const d = device('sp-rebirth');
    await d.start();
    await host.until(() => host.sparkplug('sp-rebirth', 'DBIRTH').length === 3);
    await host.ncmd('sp-rebirth', [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true }]);
    await host.until(() => host.sparkplug('sp-rebirth', 'DBIRTH').length === 6);
    const all = host.sparkplug('sp-rebirth');
    const second = all.findIndex((m, i) => i > 0 && m.topic.messageType === 'NBIRTH');
    assert.ok(second > 0);
    assert.equal(all[second]?.payload.seq, 0n);
    assert.equal(metric(all[second]?.payload as SparkplugPayload, 'bdSeq').value, 0n);
    assert.deepEqual(
      all.slice(second + 1, second + 4).map((m) => [m.topic.messageType, Number(m.payload.seq)]),
      [
        ['DBIRTH', 1],
        ['DBIRTH', 2],
        ['DBIRTH', 3],
      ],
    );
    assert.equal(d.stats().sparkplug.births, 2);
    assert.equal(d.stats().sparkplug.commandsAnswered, 1);
  });

  it('NCMD Node Control/Reboot: drops the connection (NDEATH will), reconnects and births with bdSeq + 1', async () => {
    await host.state(true);
    const d = device('sp-reboot', { sensors: ['soil-moisture'] });
    await d.start();
    await host.until(() => host.sparkplug('sp-reboot', 'DBIRTH').length === 1);
    await host.ncmd('sp-reboot', [{ name: 'Node Control/Reboot', datatype: DataType.Boolean, value: true }]);
    const death = await host.until(() => host.sparkplug('sp-reboot', 'NDEATH')[0]?.payload);
    assert.equal(metric(death, 'bdSeq').value, 0n);
    const nbirth = await host.until(() => host.sparkplug('sp-reboot', 'NBIRTH')[1]?.payload);
    assert.equal(metric(nbirth, 'bdSeq').value, 1n);
    assert.equal(d.stats().reboots, 1);
    assert.equal(host.connects.filter((c) => c.clientId === 'sp-reboot').length, 2);
  });

  it('metric writes: NCMD by alias and DCMD by name apply and show in the next DATA; read-only, unknown and invalid writes are refused', async () => {
    await host.state(true);
    const d = device('sp-write', { sensors: ['bmp580'] });
    await d.start();
    await host.until(() => host.sparkplug('sp-write', 'DBIRTH').length === 1);
    const births = [host.sparkplug('sp-write', 'NBIRTH')[0]?.payload, host.sparkplug('sp-write', 'DBIRTH')[0]?.payload] as SparkplugPayload[];
    const interval = metric(births[0] as SparkplugPayload, 'Config/telemetry_interval_ms');
    const oversampling = metric(births[1] as SparkplugPayload, 'Config/pressure_oversampling');
    assert.equal(oversampling.value, 16);

    await host.ncmd('sp-write', [{ alias: interval.alias as bigint, value: 30 }]);
    const ndata = await host.until(() => host.sparkplug('sp-write', 'NDATA').find((m) => m.payload.metrics.some((x) => x.alias === interval.alias))?.payload);
    assert.equal(ndata.metrics.find((x) => x.alias === interval.alias)?.value, 30);

    await host.dcmd('sp-write', 'i2c:0x47', [{ name: 'Config/pressure_oversampling', datatype: DataType.Int32, value: 32 }]);
    const ddata = await host.until(() => host.sparkplug('sp-write', 'DDATA').find((m) => m.payload.metrics.some((x) => x.alias === oversampling.alias))?.payload);
    assert.equal(ddata.metrics.find((x) => x.alias === oversampling.alias)?.value, 32);
    assert.equal(ddata.metrics.find((x) => x.alias === oversampling.alias)?.name, undefined, 'DATA carries the alias only');

    const before = d.stats().sparkplug.commandsFailed;
    const reported = host.sparkplug('sp-write', 'DDATA').length;
    await host.dcmd('sp-write', 'i2c:0x47', [
      { name: 'Sensors/temperature', datatype: DataType.Double, value: 99 },
      { name: 'Config/no_such_key', datatype: DataType.Int32, value: 1 },
      { name: 'Config/pressure_oversampling', datatype: DataType.Int32, value: 3 },
    ]);
    await host.dcmd('sp-write', 'i2c:0x99', [{ name: 'Config/pressure_oversampling', datatype: DataType.Int32, value: 8 }]);
    await host.until(() => d.stats().sparkplug.commandsFailed === before + 4);
    // The refused value is reported as it stands: still 32.
    const after = await host.until(() => host.sparkplug('sp-write', 'DDATA').slice(reported).find((m) => m.payload.metrics.some((x) => x.alias === oversampling.alias))?.payload);
    assert.equal(after.metrics.find((x) => x.alias === oversampling.alias)?.value, 32);
    assert.equal(d.stats().sparkplug.commandsAnswered, 2);
  });

  it('pauses DATA while the host is offline, ignores a stale offline STATE, and rebirths when the host comes back', async () => {
    const online = Date.now();
    await host.state(true, online);
    const d = device('sp-host', { sensors: ['bmp580'] });
    await d.start();
    await host.until(() => host.sparkplug('sp-host', 'DDATA').length >= 2);
    await host.state(false, online - 1000); // a late will of an older host session
    await host.until(() => host.sparkplug('sp-host', 'DDATA').length >= 4);
    assert.equal(d.stats().born, true);
    await host.state(false, online + 1);
    await host.until(() => !d.stats().born);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const paused = host.sparkplug('sp-host', 'DDATA').length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(host.sparkplug('sp-host', 'DDATA').length, paused, 'no DATA while the host is offline');
    await host.state(true, online + 2);
    await host.until(() => host.sparkplug('sp-host', 'NBIRTH').length === 2 && host.sparkplug('sp-host', 'DDATA').length > paused);
  });

  it('an orderly stop publishes NDEATH with the session bdSeq before DISCONNECT', async () => {
    await host.state(true);
    const d = device('sp-stop', { sensors: ['bmp580'] });
    await d.start();
    await host.until(() => host.sparkplug('sp-stop', 'DDATA').length > 0);
    await d.stop();
    const death = await host.until(() => host.sparkplug('sp-stop', 'NDEATH')[0]?.payload);
    assert.equal(metric(death, 'bdSeq').value, 0n);
    assert.equal(host.sparkplug('sp-stop', 'NDEATH').length, 1, 'DISCONNECT suppressed the will');
  });
});
