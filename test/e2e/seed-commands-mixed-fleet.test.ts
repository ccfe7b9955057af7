/**
 * The seed's three commands — "average temperature in Zone A for 24 h", "read all BMP580 temperature
 * sensors", "configure all soil sensors to low-power mode" — over a fleet of native, Sparkplug-only,
 * LwM2M-only and dual-protocol boards, each asked three ways: JSON-RPC, an MCP client (in-process) and
 * llm.execute_command with a scripted model. Each path must give the same answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectInProcess } from '../../src/mcp/in-process.ts';
import { ScriptedModel } from '../llm/scripted-model.ts';
import { call, text } from '../mcp/greenhouse.ts';
import { decideAsPerson } from '../support/people.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';
import { fleetHostId, mixedFleet, type FleetBoard, type MixedFleet } from './mixed-fleet.ts';
import type { WireSeries } from '../support/wire-series.ts';


describe('the three seed commands over a mixed fleet, through JSON-RPC, MCP and llm.execute_command', () => {
  let model: ScriptedModel;
  let t: TestHub;
  let fleet: MixedFleet;
  let mcp: Client;

  before(async () => {
    model = await ScriptedModel.start();
    const hostId = fleetHostId();
    t = await startTestHub({ sparkplugHostId: hostId, llmProvider: 'openai-compatible', llmBaseUrl: model.baseUrl, llmModel: 'scripted-mixed', llmMaxRetries: 0 });
    fleet = await mixedFleet(t, hostId);
    mcp = await connectInProcess(t.hub);
  });
  after(async () => {
    await mcp?.close();
    await fleet?.close();
    await t?.close();
    await model?.close();
  });

  async function rpc(method: string, params: Record<string, unknown>): Promise<any> {
    const answer = await t.rpc(method, params);
    assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer.error)}`);
    return answer.result;
  }

  async function execute(command: string): Promise<any> {
    return rpc('llm.execute_command', { command });
  }

  const zoneA = () => fleet.boards.filter((b) => b.zone === 'Zone A');
  const zoneB = () => fleet.boards.filter((b) => b.zone === 'Zone B');
  /** Every hub device reporting air temperature: the BMP580s as native / Sparkplug devices and the IPSO 3303 instances. */
  const temperatureDevices = (boards: readonly FleetBoard[]): string[] => boards.flatMap((b) => [b.bmp, b.ipsoTemperature].filter((id): id is string => id !== undefined)).sort();

  it('"average temperature in Zone A for 24 h": every protocol of Zone A, none of Zone B, one number on every path', async (context) => {
    // Wait until each Zone A temperature device has data, fix the window's end, then wait until each has a
    // point after it: a device's readings arrive in order, so nothing inside the window is still on its way.
    const wanted = temperatureDevices(zoneA());
    const stored = async (since: number): Promise<boolean> => {
      const q = await rpc('data.query', { device_ids: wanted, measurement_types: ['temperature'], time_range: { start: new Date(since).toISOString() } });
      return wanted.every((id) => q.series.some((s: WireSeries) => s.device_id === id && s.points.length > 0));
    };
    await eventually(() => stored(Date.now() - 3_600_000), 10_000, 'Zone A temperatures of every protocol stored');
    const end = new Date().toISOString();
    await eventually(() => stored(Date.parse(end) + 1), 10_000, 'a reading after the window from every Zone A device');
    const window = { filter: { zone: 'Zone A' }, measurement_types: ['temperature'], time_range: { last: '24h', end } };

    // What the hub stored, device by device: the expected answer.
    const perDevice: WireSeries[] = (await rpc('data.query', window)).series;
    assert.deepEqual(perDevice.map((s) => s.device_id).sort(), wanted, 'the Zone A devices of every protocol, none of Zone B');
    for (const id of temperatureDevices(zoneB())) assert.ok(!perDevice.some((s) => s.device_id === id), `Zone B device ${id} left out`);
    for (const s of perDevice) assert.deepEqual([s.measurement_type, s.unit], ['temperature', 'Cel']);
    // One name and unit whatever each protocol called it: native celsius, Sparkplug Sensors/temperature, IPSO 3303.
    assert.deepEqual([...new Set(perDevice.map((s) => `${s.source_measurement} ${s.source_unit}`))].sort(), ['Sensors/temperature Cel', 'temperature Cel', 'temperature celsius']);
    const values = perDevice.flatMap((s) => s.points.map((p) => p.value));
    const expected = values.reduce((a, b) => a + b, 0) / values.length;

    const jsonRpc = await rpc('data.query', { ...window, aggregation: 'avg', group_by: 'measurement' });
    assert.equal(jsonRpc.series.length, 1, 'one series: celsius and Cel are one quantity');
    const [series] = jsonRpc.series as WireSeries[];
    assert.deepEqual([series?.measurement_type, series?.unit, series?.points.length], ['temperature', 'Cel', 1]);
    const point = series!.points[0]!;
    assert.equal(point.count, values.length);
    assert.ok(Math.abs(point.value - expected) < 1e-9, `JSON-RPC average ${point.value}, stored data say ${expected}`);

    // The verb tool: one bounded summary whose overall mean and count are the store's own.
    const summaryArgs = { where: { zone: 'Zone A' }, measurements: ['temperature'], last: '24h', end };
    const viaMcp = await call(mcp, 'query_telemetry', summaryArgs);
    assert.equal(viaMcp.isError, undefined, text(viaMcp));
    const [summarized] = viaMcp.structuredContent.series;
    assert.deepEqual([summarized.measurement, summarized.unit, summarized.summary.count], ['temperature', 'Cel', values.length]);
    assert.ok(Math.abs(summarized.summary.mean - expected) < 1e-4, `MCP query_telemetry mean ${summarized.summary.mean}, stored data say ${expected}`);

    model.play((c) => {
      if (c.turns === 0) return { tool_calls: [{ name: 'query_telemetry', arguments: summaryArgs }] };
      const summary = c.lastResults()[0]?.output.result.series[0].summary;
      return { content: `The average temperature in Zone A over the 24 hours to ${end} was ${summary.mean.toFixed(3)} °C (${summary.count} readings).` };
    });
    const llm = await execute("What's the average temperature in Zone A for the past 24 hours?");
    assert.equal(llm.tool_calls[0].status, 'ok');
    assert.deepEqual(llm.tool_calls[0].result.series, viaMcp.structuredContent.series, 'the model was given the same answer');
    // The model phrases the summary it was given (six significant digits, within 1e-4 of the stored data, asserted above):
    // formatting `expected` itself would differ in the last digit whenever the mean sits on a rounding edge (27.7075).
    assert.equal(llm.answer, `The average temperature in Zone A over the 24 hours to ${end} was ${summarized.summary.mean.toFixed(3)} °C (${values.length} readings).`);
    context.diagnostic(`JSON-RPC and MCP: ${point.value} Cel over ${point.count} readings of ${perDevice.length} devices; LLM: ${llm.answer}`);
  });

  it('"read all BMP580 temperature sensors": every BMP580 temperature sensor of every protocol answers on every path', async (context) => {
    // The BMP580 is a device of that model natively and over Sparkplug (DBIRTH Properties/Hardware Model);
    // over LwM2M its 3303 Temperature instance is, by the part its 5750 Application Type names (docs/generic-methods.md).
    const bmp580s = temperatureDevices(fleet.boards);
    const selection = { model: 'BMP580', measurement_type: 'temperature' };
    const listed = await rpc('device.list', { ...selection, include_schema: false });
    assert.deepEqual(listed.devices.map((d: { device_id: string }) => d.device_id).sort(), bmp580s);
    assert.deepEqual([...new Set(listed.devices.flatMap((d: { protocols: string[] }) => d.protocols))].sort(), ['lwm2m', 'native', 'sparkplug']);
    const lwm = fleet.board('mix-lwm-a');
    const ipso = await rpc('device.get', { device_id: lwm.ipsoTemperature });
    assert.equal(ipso.model, 'BMP580');
    assert.equal(ipso.static_schema.lwm2m.object_name, 'Temperature');
    assert.match(ipso.static_schema.lwm2m.application_type, /\(BMP580 @ i2c:0x47\)$/);
    // Its 3315 Barometer instance is a BMP580 too, but measures no temperature: the measurement filter leaves it out.
    const allBmp580 = await rpc('device.list', { model: 'BMP580', include_schema: false });
    assert.ok(allBmp580.devices.some((d: { hardware_id: string }) => d.hardware_id === `${lwm.hardwareId}/lwm2m:3315/0`), 'the IPSO 3315 Barometer of the BMP580');

    const temperatureOf = (result: { readings: { measurement_type: string; value: unknown; unit: string }[] }): number => {
      const reading = result.readings.find((r) => r.measurement_type === 'temperature');
      assert.equal(reading?.unit, 'Cel');
      assert.equal(typeof reading?.value, 'number');
      return reading!.value as number;
    };
    const plausible = (celsius: number): boolean => celsius > -40 && celsius < 85;

    const batch = await rpc('batch.execute', { method: 'sensor.read', filter: selection, params: { measurement_types: ['temperature'] } });
    assert.deepEqual([batch.total, batch.succeeded, batch.failed], [bmp580s.length, bmp580s.length, 0], JSON.stringify(batch.results));
    assert.deepEqual(batch.results.map((r: { device_id: string }) => r.device_id).sort(), bmp580s);
    for (const r of batch.results) assert.ok(plausible(temperatureOf(r.result)), JSON.stringify(r));
    const sources = Object.fromEntries(batch.results.map((r: { device_id: string; result: { source: string } }) => [r.device_id, r.result.source]));
    for (const board of fleet.boards) {
      if (board.bmp !== undefined) assert.equal(sources[board.bmp], board.protocol === 'native' ? 'device' : 'host', `${board.hardwareId}: a native MCU is asked, a Sparkplug host answers from the live session`);
      // A LwM2M instance is asked: a Read of /3303/0.
      if (board.ipsoTemperature !== undefined) assert.equal(sources[board.ipsoTemperature], 'device', `${board.hardwareId}: LwM2M Read`);
    }

    const find = { model: 'BMP580', measurement: 'temperature' };
    const mcpList = await call(mcp, 'find_devices', find);
    const mcpIds: string[] = mcpList.structuredContent.devices.map((d: { id: string }) => d.id);
    assert.deepEqual([...mcpIds].sort(), bmp580s);
    for (const id of mcpIds) {
      const read = await call(mcp, 'read_device', { device: id, measurements: ['temperature'] });
      assert.equal(read.isError, undefined, text(read));
      assert.ok(plausible(temperatureOf(JSON.parse(text(read)))));
    }

    model.play((c) => {
      if (c.turns === 0) return { tool_calls: [{ name: 'find_devices', arguments: find }] };
      const [last] = c.lastResults();
      if (last?.name === 'find_devices') {
        return { tool_calls: last.output.result.devices.map((d: { id: string }) => ({ name: 'read_device', arguments: { device: d.id, measurements: ['temperature'] } })) };
      }
      const lines = c.lastResults().map((r) => `${r.output.result.sensor_id}: ${r.output.result.readings[0].value} ${r.output.result.readings[0].unit}`);
      return { content: `Temperatures of ${lines.length} BMP580 sensors:\n${lines.join('\n')}` };
    });
    const llm = await execute('Read all BMP580 temperature sensors');
    const reads = llm.tool_calls.slice(1);
    assert.ok(reads.every((r: { tool: string; status: string }) => r.tool === 'read_device' && r.status === 'ok'), JSON.stringify(reads));
    assert.deepEqual(reads.map((r: { arguments: { device: string } }) => r.arguments.device).sort(), bmp580s);
    assert.match(llm.answer, new RegExp(`^Temperatures of ${bmp580s.length} BMP580 sensors`));
    for (const r of reads) assert.match(llm.answer, new RegExp(`${r.arguments.device}: ${temperatureOf(r.result)} Cel`));
    const hardwareIds = (ids: string[]): string => ids.map((id) => t.hub.registry.get(id)?.hardwareId).join(', ');
    context.diagnostic(`JSON-RPC batch: ${batch.succeeded}/${batch.total} (${hardwareIds(batch.results.map((r: { device_id: string }) => r.device_id))}); MCP: ${mcpIds.length} reads; LLM: ${llm.answer.split('\n')[0]}`);
  });

  it('"configure all soil sensors to low-power mode": applied natively and over Sparkplug, refused as documented by the IPSO soil probes, held for approval on MCP and LLM', async (context) => {
    // Every soil probe declares soil_moisture: native and Sparkplug ones, and the LwM2M IPSO 3304 Humidity
    // instances whose 5750 Application Type begins "soil moisture" (docs/measurements.md).
    const probes = fleet.boards.flatMap((b) => (b.soil === undefined ? [] : [b.soil])).sort();
    const ipsoProbes = fleet.boards.flatMap((b) => (b.ipsoHumidity === undefined ? [] : [b.ipsoHumidity])).sort();
    const selection = { method: 'sensor.configure', filter: { measurement_type: 'soil_moisture' }, params: { config: { power_mode: 'low_power' } } };
    const nativeModes = (): unknown[] => fleet.native.map((mcu) => mcu.sensors().find((s) => s.kind === 'soil-moisture')?.model.config()['power_mode']);
    const restore = async (): Promise<void> => {
      const back = await rpc('batch.execute', { method: 'sensor.configure', filter: { measurement_type: 'soil_moisture' }, params: { config: { power_mode: 'continuous' } } });
      assert.equal(back.succeeded, probes.length, JSON.stringify(back.results));
      assert.deepEqual(nativeModes(), ['continuous', 'continuous']);
    };
    /** The one answer every path must give. */
    const checkOutcome = (batch: any): void => {
      assert.deepEqual([batch.total, batch.succeeded, batch.failed], [probes.length + ipsoProbes.length, probes.length, ipsoProbes.length], JSON.stringify(batch.results));
      const byId = new Map(batch.results.map((r: { device_id: string }) => [r.device_id, r] as const));
      for (const id of probes) {
        const r: any = byId.get(id);
        assert.equal(r?.status, 'succeeded', JSON.stringify(r));
        assert.equal(r.result.config.power_mode, 'low_power');
      }
      for (const board of fleet.boards.filter((b) => b.protocol === 'sparkplug' || b.protocol === 'dual')) {
        const r: any = byId.get(board.soil!);
        assert.deepEqual([r.result.sent, r.result.confirmed, r.result.written], [true, true, { 'Config/power_mode': 'low_power' }], `${board.hardwareId}: DCMD sent and reported back`);
      }
      for (const id of ipsoProbes) {
        const refused: any = byId.get(id);
        assert.equal(refused?.status, 'failed');
        // docs/generic-methods.md, LwM2M "Config key rule": -32004 whose device_error is the -32602 naming the key.
        assert.equal(refused.error.code, -32004);
        assert.equal(refused.error.data.device_error.code, -32602);
        assert.match(refused.error.data.device_error.message, /unknown config key "power_mode" for \/3304\/0 \(Humidity\) over LwM2M; writable keys: application_type \(\/3304\/0\/5750\)/);
      }
      assert.deepEqual(nativeModes(), ['low_power', 'low_power'], 'the native firmware applied it');
    };

    checkOutcome(await rpc('batch.execute', selection));
    await restore();

    const configure = { where: { measurement: 'soil_moisture' }, settings: { power_mode: 'low_power' } };
    const held = await call(mcp, 'configure_device', configure);
    assert.equal(held.isError, undefined, text(held));
    assert.equal(held.structuredContent.status, 'approval_required');
    assert.equal(held.structuredContent.executed, false);
    assert.deepEqual(held.structuredContent.plan.devices.map((d: { device_id: string }) => d.device_id).sort(), [...probes, ...ipsoProbes].sort());
    assert.deepEqual(nativeModes(), ['continuous', 'continuous'], 'nothing sent before approval');
    const done = await decideAsPerson(t, held.structuredContent.approval_id);
    assert.equal(done.outcome?.status, 'succeeded', JSON.stringify(done.outcome));
    checkOutcome(done.outcome?.result);
    await restore();

    model.play((c) => {
      if (c.turns === 0) return { tool_calls: [{ name: 'configure_device', arguments: configure }] };
      const [last] = c.lastResults();
      return last?.output.status === 'confirmation_required'
        ? { content: `Nothing has changed yet: low-power mode for ${last.output.would_act_on.length} soil sensors awaits your approval.` }
        : { content: `Unexpected: ${JSON.stringify(last?.output)}` };
    });
    const llm = await execute('Configure all soil sensors to low-power mode');
    assert.equal(llm.tool_calls[0].status, 'confirmation_required');
    assert.equal(llm.answer, `Nothing has changed yet: low-power mode for ${probes.length + ipsoProbes.length} soil sensors awaits your approval.`);
    assert.deepEqual(llm.pending_approvals[0].plan.devices.map((d: { device_id: string }) => d.device_id).sort(), [...probes, ...ipsoProbes].sort());
    assert.deepEqual(nativeModes(), ['continuous', 'continuous'], 'nothing sent before approval');
    const approved = await decideAsPerson(t, llm.pending_approvals[0].approval_id);
    assert.equal(approved.outcome?.status, 'succeeded');
    const confirmed = approved.outcome?.result as any;
    checkOutcome(confirmed);
    context.diagnostic(`every path: ${confirmed.succeeded} applied, ${confirmed.failed} refused (${confirmed.results.find((r: { status: string }) => r.status === 'failed').error.data.device_error.message}); LLM: ${llm.answer}`);
  });
});
