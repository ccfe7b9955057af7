/**
 * The hub's MCP server as an SDK Client sees it, run once per transport (in-process and Streamable
 * HTTP): the fixed verb tools and their annotations, reads on a simulated fleet, arguments checked
 * against each device, policy and approval, resources and subscriptions, prompts and completions,
 * audit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { SimulatedMcu } from '../../src/simulator/index.ts';
import { decideAsPerson } from '../support/people.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';
import { call, greenhouseNode, json, text, type GreenhouseNode } from './greenhouse.ts';

/** Connect a (not yet connected) SDK client to the test hub over one transport. */
export type ConnectMcp = (t: TestHub, client: Client) => Promise<Client>;

/** A client that declares elicitation (`url` or `form` mode) and answers every request with `answer`. */
function elicitingClient(name: string, answer: (request: ElicitRequest) => ElicitResult, seen: ElicitRequest[], mode: 'url' | 'form' = 'url'): Client {
  const client = new Client({ name, version: '1.0.0' }, { capabilities: { elicitation: mode === 'url' ? { url: {} } : { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    seen.push(request);
    return answer(request);
  });
  return client;
}

export function describeMcpServer(transport: string, connect: ConnectMcp): void {
  describe(`MCP server (${transport})`, () => {
    let t: TestHub;
    let a: GreenhouseNode;
    let b: GreenhouseNode;
    let client: Client;

    before(async () => {
      // In process there is no request address: approval links use --public-url.
      t = await startTestHub(transport === 'in-process' ? { publicUrl: 'https://hub.example' } : {});
      a = await greenhouseNode(t, 'pico-a', 'Zone A');
      b = await greenhouseNode(t, 'pico-b', 'Zone B');
      client = await connect(t, new Client({ name: 'test-agent', version: '1.0.0' }));
    });
    after(async () => {
      await client.close();
      await t.close();
    });

    it('identifies itself as llm-iot with the package version and its capabilities', () => {
      assert.deepEqual(client.getServerVersion(), { name: 'llm-iot', version: '0.1.0' });
      const caps = client.getServerCapabilities();
      assert.deepEqual(caps?.tools, { listChanged: false }, 'the tool list never changes');
      assert.deepEqual(caps?.resources, { subscribe: true, listChanged: true });
      assert.ok(caps?.prompts && caps.logging && caps.completions);
      assert.match(client.getInstructions() ?? '', /approval_url/);
    });

    it('lists the verb tools with titles and annotations that match what they can do, and no fleet contents', async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      assert.deepEqual([...byName.keys()], ['find_devices', 'describe_device', 'read_device', 'query_telemetry', 'configure_device', 'run_command', 'update_device', 'command_history']);
      assert.equal(byName.get('read_device')?.annotations?.readOnlyHint, true);
      assert.equal(byName.get('read_device')?.annotations?.destructiveHint, false);
      assert.equal(byName.get('run_command')?.annotations?.destructiveHint, true, 'run_command can reboot');
      assert.equal(byName.get('run_command')?.annotations?.readOnlyHint, false);
      assert.equal(byName.get('configure_device')?.annotations?.readOnlyHint, false);
      assert.equal(byName.get('configure_device')?.annotations?.destructiveHint, false);
      assert.equal(byName.get('find_devices')?.title, 'Find Devices');
      for (const tool of tools) assert.equal(tool.inputSchema.properties?.['confirm_token'], undefined, `${tool.name}: no approval token: a person approves on the hub`);
      // Reads are always allowed by the default policy, so they advertise their result schema;
      // writes may answer with a plan instead, so they must not (MCP: outputSchema ⇒ structuredContent).
      assert.equal(byName.get('find_devices')?.outputSchema?.type, 'object');
      assert.equal(byName.get('run_command')?.outputSchema, undefined);
      assert.doesNotMatch(JSON.stringify(tools), new RegExp(`pico-a|${a.mcuId}|${b.bmp}`), 'no device in the tool list');
    });

    it('answers every read tool on the simulated fleet', async () => {
      const list = await call(client, 'find_devices', { zone: 'Zone A' });
      assert.equal(list.isError, undefined);
      assert.deepEqual(list.structuredContent.devices.map((d: { id: string }) => d.id).sort(), [a.mcuId, a.bmp, a.soil].sort());
      assert.deepEqual(JSON.parse(text(list)), list.structuredContent, 'the text content is the same JSON');

      const device = json(await call(client, 'describe_device', { device: 'pico-b' }));
      assert.equal(device.id, b.mcuId);
      assert.deepEqual(device.attached.map((d: { id: string }) => d.id).sort(), [b.bmp, b.soil].sort());
      assert.ok(device.commands.some((c: { name: string; kind: string }) => c.name === 'reboot' && c.kind === 'destructive'));

      const read = await call(client, 'read_device', { device: a.bmp });
      assert.equal(read.isError, undefined, text(read));
      assert.equal(json(read).source, 'device');
      assert.deepEqual(json(read).readings.map((r: { measurement_type: string; value: number }) => [r.measurement_type, r.value]), [['temperature', 22.5]]);
      assert.equal(a.received('sensor.read').length, 1, 'the device was asked');

      const latest = await eventually(async () => {
        const r = json(await call(client, 'read_device', { where: { zone: 'Zone A' }, measurements: ['temperature'] }));
        return r.readings.length > 0 ? r : undefined;
      });
      assert.equal(latest.readings[0].value, 22.5);

      const query = await eventually(async () => {
        const r = await call(client, 'query_telemetry', { where: { zone: 'Zone A' }, measurements: ['temperature'], last: '1h' });
        return r.structuredContent.series.length > 0 ? r : undefined;
      });
      assert.equal(query.structuredContent.series[0].measurement, 'temperature');
      assert.equal(query.structuredContent.series[0].summary.mean, 22.5);

      const commands = json(await call(client, 'command_history', { device: a.bmp }));
      assert.ok(commands.commands.some((c: { method: string; state: string; origin: { transport: string } }) => c.method === 'sensor.read' && c.state === 'succeeded' && c.origin.transport === 'mcp'));
    });

    it('reports a bad device id as a tool error naming DEVICE_NOT_FOUND, and an unknown tool as a protocol error', async () => {
      const missing = await call(client, 'describe_device', { device: 'no-such-board' });
      assert.equal(missing.isError, true);
      assert.match(text(missing), /device not found: no-such-board \(JSON-RPC error -32001 DEVICE_NOT_FOUND\)/);
      const invalid = await call(client, 'find_devices', { zone: 42 });
      assert.equal(invalid.isError, true);
      assert.match(text(invalid), /-32602 INVALID_PARAMS/);
      await assert.rejects(call(client, 'no_such_tool'), (error: Error & { code?: number }) => error.code === -32602 && /Unknown tool: no_such_tool/.test(error.message));
    });

    it('holds a write as an approval with its page (client without URL elicitation); a person approving runs it', async () => {
      const args = { device: a.soil, settings: { power_mode: 'low_power' } };
      const held = await call(client, 'configure_device', args);
      assert.equal(held.isError, undefined);
      assert.equal(held.structuredContent.status, 'approval_required');
      assert.equal(held.structuredContent.executed, false);
      assert.deepEqual(held.structuredContent.plan.devices.map((d: { device_id: string }) => d.device_id), [a.soil]);
      const id = held.structuredContent.approval_id;
      const base = transport === 'Streamable HTTP' ? t.httpUrl : 'https://hub.example';
      assert.equal(held.structuredContent.approval_url, `${base}/#/approvals/${id}`);
      assert.match(text(held), /Not executed yet/);
      assert.match(text(held), new RegExp(`must approve it at ${base}/#/approvals/${id}`));
      assert.equal(a.received('sensor.configure').length, 0, 'nothing sent before approval');

      const token = await call(client, 'configure_device', { ...args, confirm_token: id });
      assert.equal(token.isError, true, 'a tool takes no approval token: the client cannot approve by calling again');
      assert.equal(a.received('sensor.configure').length, 0);
      const approved = await decideAsPerson(t, id);
      assert.equal(approved.outcome?.status, 'succeeded');
      assert.deepEqual((approved.outcome?.result as { config: unknown }).config, { power_mode: 'low_power' });
      assert.equal(a.received('sensor.configure').length, 1);
    });

    it('opens the approval page through URL elicitation and answers the outcome once a person approves; the client cannot approve', async () => {
      const seen: ElicitRequest[] = [];
      // The client's user "accepts" opening the page; the person then approves on the hub.
      const eliciting = await connect(
        t,
        elicitingClient('claude-desktop', (request) => {
          const params = request.params as { elicitationId: string };
          setImmediate(() => void decideAsPerson(t, params.elicitationId));
          return { action: 'accept' };
        }, seen),
      );
      try {
        const before = b.received('sensor.configure').length;
        const batch = { where: { model: 'Soil Moisture Sensor', zone: 'Zone B' }, settings: { power_mode: 'low_power' } };
        const done = await call(eliciting, 'configure_device', batch);
        assert.equal(done.isError, undefined, text(done));
        assert.equal(done.structuredContent.status, 'ok');
        assert.equal(done.structuredContent.executed, true);
        assert.equal(done.structuredContent.result.succeeded, 1);
        assert.equal(done.structuredContent.command_ids.length, 1);
        assert.match(text(done), /Approved by user:pat and executed/);
        assert.equal(b.received('sensor.configure').length, before + 1);
        const request = seen[0]?.params as { mode: string; url: string; message: string; elicitationId: string };
        assert.equal(request.mode, 'url');
        assert.equal(request.url, `${transport === 'Streamable HTTP' ? t.httpUrl : 'https://hub.example'}/#/approvals/${request.elicitationId}`);
        assert.match(request.message, /configure_device on 1 device/);
      } finally {
        await eliciting.close();
      }
    });

    it('never asks through a form (any client could answer it), and a declined URL withdraws the request', async () => {
      const formSeen: ElicitRequest[] = [];
      const form = await connect(t, elicitingClient('form-only', () => ({ action: 'accept', content: { confirm: true } }), formSeen, 'form'));
      const decliner = await connect(t, elicitingClient('decliner', () => ({ action: 'decline' }), []));
      try {
        const held = await call(form, 'configure_device', { device: b.bmp, settings: { osr_t: 8 } });
        assert.equal(held.structuredContent.status, 'approval_required');
        assert.deepEqual(formSeen, [], 'no form: an agent answering its own form would approve itself');
        const declined = await call(decliner, 'configure_device', { device: b.bmp, settings: { osr_t: 8 } });
        assert.equal(declined.structuredContent.status, 'declined');
        assert.match(text(declined), /Not executed: it was declined \(withdrawn by the requesting client\)/);
        assert.equal((await t.hub.tools.approvals.get(declined.structuredContent.approval_id)).status, 'declined');
        assert.equal(b.received('sensor.configure').filter((c) => c.params.sensor_id === b.bmp).length, 0);
      } finally {
        await form.close();
        await decliner.close();
      }
    });

    it('refuses a destructive tool under the default policy without touching the device', async () => {
      const denied = await call(client, 'run_command', { device: a.mcuId, command: 'reboot' });
      assert.equal(denied.isError, true);
      assert.match(text(denied), /Not allowed: run_command is not allowed for an LLM: default for destructive tools \(deny\)/);
      assert.equal(a.received('mcu.reboot').length, 0);
    });

    it('writes every call to the audit log under the client name and session', async () => {
      const entries = await t.hub.stores.audit.list({ limit: 500 });
      const mine = entries.filter((e) => (e.client ?? '').startsWith('test-agent/'));
      assert.ok(mine.every((e) => e.via === 'mcp'));
      const outcome = (tool: string, o: string): boolean => mine.some((e) => e.tool === tool && e.outcome === o);
      assert.ok(outcome('read_device', 'succeeded'));
      assert.ok(outcome('describe_device', 'failed'));
      assert.ok(outcome('configure_device', 'confirmation_required'), mine.map((e) => `${e.tool}:${e.outcome}`).join());
      assert.ok(mine.some((e) => e.tool === 'configure_device' && e.outcome === 'succeeded' && e.decision === 'confirm' && e.deviceIds.includes(a.soil)));
      assert.ok(mine.some((e) => e.tool === 'run_command' && e.outcome === 'denied' && e.decision === 'deny'));
      assert.ok(entries.some((e) => (e.client ?? '').startsWith('claude-desktop/') && e.tool === 'configure_device' && e.outcome === 'succeeded' && e.deviceIds.includes(b.soil)));
    });

    it('sends resources/list_changed (never tools/list_changed) when a device joins, and answers DEVICE_NOT_FOUND once it left', async () => {
      let toolsChanged = 0;
      let resourcesChanged = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolsChanged++);
      client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void resourcesChanged++);
      const logged: string[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged.push(`${n.params.level} ${String(n.params.data)}`));
      await client.setLoggingLevel('info');
      const before = JSON.stringify((await client.listTools()).tools);
      const c = await greenhouseNode(t, 'pico-c', 'Zone C');
      await eventually(() => resourcesChanged > 0, 10_000, 'resources/list_changed');
      assert.ok(logged.includes('info device joined: pico-c (mcu Pico W, Zone C)'), logged.join('; '));
      assert.equal(JSON.stringify((await client.listTools()).tools), before, 'the tool list is the same bytes');
      const found = await call(client, 'find_devices', { zone: 'Zone C', type: 'mcu' });
      assert.deepEqual(found.structuredContent.devices.map((d: { id: string }) => d.id), [c.mcuId]);

      const gone = await t.rpc('device.deregister', { device_id: c.mcuId });
      assert.equal(gone.error, undefined);
      const read = await call(client, 'read_device', { device: c.bmp });
      assert.equal(read.isError, true);
      assert.match(text(read), /DEVICE_NOT_FOUND/);
      await eventually(() => resourcesChanged > 1, 10_000, 'resources/list_changed after the device left');
      assert.equal(toolsChanged, 0, 'no tools/list_changed storm');
    });

    it('follows a simulated ESP32 as it joins: a live read_device, telemetry resource updates', async () => {
      const updates: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
      const mcu = new SimulatedMcu({ hardwareId: 'esp32-sim-1', board: 'esp32-s3', url: t.mqttUrl, zone: 'Zone S', telemetryIntervalMs: 200, heartbeatIntervalMs: 1000 });
      try {
        await mcu.start();
        const bmp = await eventually(() => mcu.sensors().find((s) => s.kind === 'bmp580' && s.sensorId !== null)?.sensorId, 10_000, 'BMP580 discovered');
        const read = await call(client, 'read_device', { device: bmp });
        assert.equal(read.isError, undefined, text(read));
        assert.equal(json(read).source, 'device');
        assert.deepEqual(json(read).readings.map((r: { measurement_type: string }) => r.measurement_type).sort(), ['pressure', 'temperature']);

        const uri = `llmiot://device/${mcu.deviceId}/telemetry`;
        await client.subscribeResource({ uri });
        try {
          await eventually(() => updates.includes(uri), 10_000, 'telemetry resource update from the simulator');
          // The first update may come from the MCU's heartbeat or its soil sensor: the BMP580's
          // readings are in the document by one of the updates that follow.
          const bmpInDocument = async (): Promise<boolean> =>
            (JSON.parse(await readText(client, uri)).latest as { device_id: string }[]).some((r) => r.device_id === bmp);
          await eventually(bmpInDocument, 10_000, 'the BMP580 readings in the telemetry document');
        } finally {
          await client.unsubscribeResource({ uri });
        }
      } finally {
        await mcu.stop();
      }
    });

    it('lists and reads the fleet, device and telemetry resources', async () => {
      const { resources } = await client.listResources();
      assert.equal(resources[0]?.uri, 'llmiot://fleet');
      assert.equal(resources[1]?.uri, 'ui://llm-iot/telemetry-chart.html');
      assert.ok(resources.some((r) => r.uri === `llmiot://device/${a.mcuId}` && r.name === 'pico-a'));
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((r) => r.uriTemplate), [
        'llmiot://device/{id}',
        'llmiot://device/{id}/telemetry',
        'llmiot://zone/{zone}',
        'llmiot://device/{id}/capability/{capability}',
      ]);
      const zone = JSON.parse(await readText(client, 'llmiot://zone/Zone%20A'));
      assert.equal(zone.total, 3);
      assert.deepEqual(zone.measurements.map((m: { name: string }) => m.name).sort(), ['pressure', 'soil_moisture', 'temperature']);
      const capability = JSON.parse(await readText(client, `llmiot://device/${a.bmp}/capability/temperature`));
      assert.deepEqual({ kind: capability.kind, unit: capability.unit, range_min: capability.range_min, range_max: capability.range_max }, { kind: 'measurement', unit: 'celsius', range_min: -40, range_max: 85 });
      await assert.rejects(client.readResource({ uri: `llmiot://device/${a.bmp}/capability/humidity` }), (error: Error & { code?: number }) => error.code === -32002);
      await assert.rejects(client.readResource({ uri: 'llmiot://zone/Nowhere' }), (error: Error & { code?: number }) => error.code === -32002);

      const fleet = JSON.parse(await readText(client, 'llmiot://fleet'));
      const mcu = fleet.devices.find((d: { device_id: string }) => d.device_id === a.mcuId);
      assert.deepEqual(
        { hardware_id: mcu.hardware_id, type: mcu.type, model: mcu.model, zone: mcu.zone, status: mcu.status, protocols: mcu.protocols, parent_id: mcu.parent_id },
        { hardware_id: 'pico-a', type: 'mcu', model: 'Pico W', zone: 'Zone A', status: 'online', protocols: ['native'], parent_id: null },
      );
      assert.equal(fleet.devices.find((d: { device_id: string }) => d.device_id === a.bmp).parent_id, a.mcuId);

      const device = JSON.parse(await readText(client, `llmiot://device/${a.mcuId}`));
      assert.equal(device.hardware_id, 'pico-a');
      assert.ok(device.static_schema && device.dynamic_state);
      assert.deepEqual(device.attached_devices.map((d: { model: string }) => d.model).sort(), ['BMP580', 'Soil Moisture Sensor']);
      assert.ok(device.latest_readings.some((r: { device_id: string; measurement_type: string }) => r.device_id === a.bmp && r.measurement_type === 'temperature'));

      const byHardwareId = JSON.parse(await readText(client, `llmiot://device/${encodeURIComponent('pico-a/i2c:0x47')}`));
      assert.equal(byHardwareId.device_id, a.bmp);

      const telemetry = JSON.parse(await readText(client, `llmiot://device/${a.mcuId}/telemetry`));
      assert.ok(telemetry.latest.some((r: { value: number }) => r.value === 22.5));
      assert.equal(telemetry.hourly_average.interval, '1h');
      assert.ok(telemetry.hourly_average.series.some((s: { measurement_type: string }) => s.measurement_type === 'temperature'));

      await assert.rejects(client.readResource({ uri: 'llmiot://device/no-such-board' }), (error: Error & { code?: number }) => error.code === -32002);
      await assert.rejects(client.readResource({ uri: 'test://static-text' }), (error: Error & { code?: number }) => error.code === -32002);
    });

    it('notifies a subscriber once its device\'s telemetry is committed, a burst as one or two updates, and not after unsubscribe', async () => {
      const updates: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
      const uri = `llmiot://device/${b.mcuId}`;
      await client.subscribeResource({ uri });
      const latest = async (device: string): Promise<number | undefined> =>
        (await t.rpc('data.latest', { device_ids: [device], measurement_types: ['temperature'] })).result?.readings[0]?.value;
      for (let i = 0; i < 5; i++) b.link.notify('telemetry.report', { readings: [{ sensor_id: b.bmp, measurement_type: 'temperature', value: 20 + i }] });
      await eventually(() => updates.includes(uri), 10_000, 'resources/updated');
      // The update follows the commit: a read answering it finds the burst's readings (b.bmp had none before).
      const onUpdate = JSON.parse(await readText(client, uri)).latest_readings as { device_id: string; value: number }[];
      assert.ok(onUpdate.some((r) => r.device_id === b.bmp && r.value >= 20 && r.value <= 24), JSON.stringify(onUpdate));
      await eventually(async () => (await latest(b.bmp)) === 24, 10_000, 'the whole burst stored');
      a.link.notify('telemetry.report', { readings: [{ sensor_id: a.bmp, measurement_type: 'temperature', value: 30 }] });
      await eventually(async () => (await latest(a.bmp)) === 30, 10_000, "device A's reading stored");
      assert.equal(updates.filter((u) => u !== uri).length, 0, 'other devices do not notify this subscription');
      const document = JSON.parse(await readText(client, uri));
      assert.ok(document.latest_readings.some((r: { value: number }) => r.value === 24));

      await client.unsubscribeResource({ uri });
      const count = updates.length;
      // The five reports reach the store in one batch, or two when the batch timer fell between them: one update
      // each at most, the second one folded into the second's trailing update (the throttle's timing is
      // resource-watcher.test.ts's, on a mocked clock). A trailing update still pending is dropped with the subscription.
      assert.ok(count >= 1 && count <= 2, `a burst of five reports, ${count} updates`);
      // A witness subscription on the same device: its first update is sent at once.
      const witness = `llmiot://device/${b.mcuId}/telemetry`;
      await client.subscribeResource({ uri: witness });
      b.link.notify('telemetry.report', { readings: [{ sensor_id: b.bmp, measurement_type: 'temperature', value: 40 }] });
      await eventually(() => updates.includes(witness), 10_000, 'the witness update');
      assert.deepEqual(updates.slice(count), [witness], 'nothing for the unsubscribed resource');
      await client.unsubscribeResource({ uri: witness });
      await assert.rejects(client.subscribeResource({ uri: 'llmiot://device/no-such-board' }), (error: Error & { code?: number }) => error.code === -32002);
    });

    it('offers prompts for the zone report, the health check and batch configuration, with zone completion', async () => {
      const { prompts } = await client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ['greenhouse_report', 'fleet_health_check', 'batch_configure']);
      const report = await client.getPrompt({ name: 'greenhouse_report', arguments: { zone: 'Zone A', hours: '24' } });
      const reportText = report.messages[0]?.content.type === 'text' ? report.messages[0].content.text : '';
      assert.match(reportText, /query_telemetry/);
      assert.match(reportText, /"where": \{"zone": "Zone A"\}/);
      assert.match(reportText, /"last": "24h"/);
      const batch = await client.getPrompt({ name: 'batch_configure', arguments: { devices: 'all soil sensors', change: 'low-power mode' } });
      assert.match(batch.messages[0]?.content.type === 'text' ? batch.messages[0].content.text : '', /approval_url/);
      const health = await client.getPrompt({ name: 'fleet_health_check' });
      assert.match(health.messages[0]?.content.type === 'text' ? health.messages[0].content.text : '', /offline/);
      await assert.rejects(client.getPrompt({ name: 'greenhouse_report' }), (error: Error & { code?: number }) => error.code === -32602 && /zone/.test(error.message));

      const zones = await client.complete({ ref: { type: 'ref/prompt', name: 'greenhouse_report' }, argument: { name: 'zone', value: 'zone b' } });
      assert.deepEqual(zones.completion.values, ['Zone B']);
      const ids = await client.complete({ ref: { type: 'ref/resource', uri: 'llmiot://device/{id}' }, argument: { name: 'id', value: 'pico-a' } });
      assert.ok(ids.completion.values.includes('pico-a'));
      const zoneIds = await client.complete({ ref: { type: 'ref/resource', uri: 'llmiot://zone/{zone}' }, argument: { name: 'zone', value: 'Zo' } });
      assert.deepEqual(zoneIds.completion.values.slice(0, 2), ['Zone A', 'Zone B']);
      // The capability of one device: context.arguments carries the id already chosen.
      const caps = await client.complete({
        ref: { type: 'ref/resource', uri: 'llmiot://device/{id}/capability/{capability}' },
        argument: { name: 'capability', value: '' },
        context: { arguments: { id: a.mcuId } },
      });
      assert.deepEqual(caps.completion.values, ['get_status', 'get_config', 'scan_bus', 'reboot', 'upload_program', 'execute_script']);
      const measurements = await client.complete({
        ref: { type: 'ref/resource', uri: 'llmiot://device/{id}/capability/{capability}' },
        argument: { name: 'capability', value: 'te' },
        context: { arguments: { id: encodeURIComponent('pico-a/i2c:0x47') } },
      });
      assert.deepEqual(measurements.completion.values, ['temperature']);
    });
  });
}

async function readText(client: Client, uri: string): Promise<string> {
  const { contents } = await client.readResource({ uri });
  const first = contents[0];
  assert.ok(first && 'text' in first, `text content for ${uri}`);
  assert.equal(first.mimeType, 'application/json');
  return first.text;
}
