/**
 * The hub's MCP server as an SDK Client sees it, run once per transport (in-process and Streamable
 * HTTP): tools and their annotations, reads on a simulated fleet, policy and approval, list
 * changes, resources and subscriptions, prompts, audit.
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
import { call, greenhouseNode, text, type GreenhouseNode } from './greenhouse.ts';

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
      assert.deepEqual(caps?.tools, { listChanged: true });
      assert.deepEqual(caps?.resources, { subscribe: true, listChanged: true });
      assert.ok(caps?.prompts && caps.logging && caps.completions);
      assert.match(client.getInstructions() ?? '', /approval_url/);
    });

    it('lists the tools with titles, live fleet context and annotations that match each method kind', async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      assert.equal(byName.get('sensor_read')?.annotations?.readOnlyHint, true);
      assert.equal(byName.get('sensor_read')?.annotations?.destructiveHint, false);
      assert.equal(byName.get('mcu_reboot')?.annotations?.destructiveHint, true);
      assert.equal(byName.get('mcu_reboot')?.annotations?.readOnlyHint, false);
      assert.equal(byName.get('sensor_configure')?.annotations?.readOnlyHint, false);
      assert.equal(byName.get('sensor_configure')?.annotations?.destructiveHint, false);
      assert.equal(byName.get('device_get')?.title, 'Device Get');
      assert.match(byName.get('device_list')?.description ?? '', /Zone A, Zone B/);
      assert.equal(byName.get('sensor_configure')?.inputSchema.properties?.['confirm_token'], undefined, 'no approval token: a person approves on the hub');
      // Reads are always allowed by the default policy, so they advertise their result schema;
      // writes may answer with a plan instead, so they must not (MCP: outputSchema ⇒ structuredContent).
      assert.equal(byName.get('device_get')?.outputSchema?.type, 'object');
      assert.equal(byName.get('batch_execute')?.outputSchema, undefined);
      for (const hidden of ['device_register', 'telemetry_report', 'rpc_discover', 'data_subscribe', 'llm_execute_command']) assert.equal(byName.has(hidden), false, hidden);
    });

    it('answers every read tool on the simulated fleet', async () => {
      const list = await call(client, 'device_list', { zone: 'Zone A', include_schema: false });
      assert.equal(list.isError, undefined);
      assert.deepEqual(list.structuredContent.devices.map((d: { device_id: string }) => d.device_id).sort(), [a.mcuId, a.bmp, a.soil].sort());
      assert.deepEqual(JSON.parse(text(list)), list.structuredContent, 'the text content is the same JSON');

      const device = await call(client, 'device_get', { device_id: 'pico-b' });
      assert.equal(device.structuredContent.device_id, b.mcuId);
      assert.deepEqual([...device.structuredContent.attached].sort(), [b.bmp, b.soil].sort());

      const read = await call(client, 'sensor_read', { sensor_id: a.bmp });
      assert.equal(read.isError, undefined, text(read));
      assert.equal(read.structuredContent.source, 'device');
      assert.deepEqual(read.structuredContent.readings.map((r: { measurement_type: string; value: number }) => [r.measurement_type, r.value]), [['temperature', 22.5]]);
      assert.equal(a.received('sensor.read').length, 1, 'the device was asked');

      const latest = await eventually(async () => {
        const r = await call(client, 'data_latest', { device_ids: [a.bmp] });
        return r.structuredContent.readings.length > 0 ? r : undefined;
      });
      assert.equal(latest.structuredContent.readings[0].value, 22.5);

      const query = await eventually(async () => {
        const r = await call(client, 'data_query', { filter: { zone: 'Zone A' }, measurement_types: ['temperature'], time_range: { last: '1h' }, aggregation: 'avg', group_by: 'measurement' });
        return r.structuredContent.series.length > 0 ? r : undefined;
      });
      assert.equal(query.structuredContent.series[0].measurement_type, 'temperature');
      assert.equal(query.structuredContent.series[0].points[0].value, 22.5);

      const commands = await call(client, 'command_list', { device_id: a.bmp });
      assert.ok(commands.structuredContent.commands.some((c: { method: string; state: string; origin: { transport: string } }) => c.method === 'sensor.read' && c.state === 'succeeded' && c.origin.transport === 'mcp'));
    });

    it('reports a bad device id as a tool error naming DEVICE_NOT_FOUND, and an unknown tool as a protocol error', async () => {
      const missing = await call(client, 'device_get', { device_id: 'no-such-board' });
      assert.equal(missing.isError, true);
      assert.match(text(missing), /device not found: no-such-board \(JSON-RPC error -32001 DEVICE_NOT_FOUND\)/);
      const invalid = await call(client, 'device_list', { zone: 42 });
      assert.equal(invalid.isError, true);
      assert.match(text(invalid), /-32602 INVALID_PARAMS/);
      await assert.rejects(call(client, 'no_such_tool'), (error: Error & { code?: number }) => error.code === -32602 && /Unknown tool: no_such_tool/.test(error.message));
    });

    it('holds a write as an approval with its page (client without URL elicitation); a person approving runs it', async () => {
      const args = { sensor_id: a.soil, config: { power_mode: 'low_power' } };
      const held = await call(client, 'sensor_configure', args);
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

      const token = await call(client, 'sensor_configure', { ...args, confirm_token: id });
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
        const batch = { method: 'sensor.configure', filter: { model: 'Soil Moisture Sensor', zone: 'Zone B' }, params: { config: { power_mode: 'low_power' } } };
        const done = await call(eliciting, 'batch_execute', batch);
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
        assert.match(request.message, /batch_execute on 1 device/);
      } finally {
        await eliciting.close();
      }
    });

    it('never asks through a form (any client could answer it), and a declined URL withdraws the request', async () => {
      const formSeen: ElicitRequest[] = [];
      const form = await connect(t, elicitingClient('form-only', () => ({ action: 'accept', content: { confirm: true } }), formSeen, 'form'));
      const decliner = await connect(t, elicitingClient('decliner', () => ({ action: 'decline' }), []));
      try {
        const held = await call(form, 'sensor_configure', { sensor_id: b.bmp, config: { osr_t: 8 } });
        assert.equal(held.structuredContent.status, 'approval_required');
        assert.deepEqual(formSeen, [], 'no form: an agent answering its own form would approve itself');
        const declined = await call(decliner, 'sensor_configure', { sensor_id: b.bmp, config: { osr_t: 8 } });
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
      const denied = await call(client, 'mcu_reboot', { mcu_id: a.mcuId });
      assert.equal(denied.isError, true);
      assert.match(text(denied), /Not allowed: mcu_reboot is not allowed for an LLM: default for destructive tools \(deny\)/);
      assert.equal(a.received('mcu.reboot').length, 0);
    });

    it('writes every call to the audit log under the client name and session', async () => {
      const entries = await t.hub.stores.audit.list({ limit: 500 });
      const mine = entries.filter((e) => (e.client ?? '').startsWith('test-agent/'));
      assert.ok(mine.every((e) => e.via === 'mcp'));
      const outcome = (tool: string, o: string): boolean => mine.some((e) => e.tool === tool && e.outcome === o);
      assert.ok(outcome('sensor_read', 'succeeded'));
      assert.ok(outcome('device_get', 'failed'));
      assert.ok(outcome('sensor_configure', 'confirmation_required'));
      assert.ok(mine.some((e) => e.tool === 'sensor_configure' && e.outcome === 'succeeded' && e.decision === 'confirm' && e.deviceIds.includes(a.soil)));
      assert.ok(mine.some((e) => e.tool === 'mcu_reboot' && e.outcome === 'denied' && e.decision === 'deny'));
      assert.ok(entries.some((e) => (e.client ?? '').startsWith('claude-desktop/') && e.tool === 'batch_execute' && e.outcome === 'succeeded' && e.deviceIds.includes(b.soil)));
    });

    it('sends tools/list_changed and resources/list_changed when a device joins, and answers DEVICE_NOT_FOUND once it left', async () => {
      let toolsChanged = 0;
      let resourcesChanged = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolsChanged++);
      client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void resourcesChanged++);
      const logged: string[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged.push(`${n.params.level} ${String(n.params.data)}`));
      await client.setLoggingLevel('info');
      const c = await greenhouseNode(t, 'pico-c', 'Zone C');
      await eventually(() => toolsChanged > 0 && resourcesChanged > 0, 5000, 'list_changed notifications');
      assert.ok(logged.includes('info device joined: pico-c (mcu Pico W, Zone C)'), logged.join('; '));
      const { tools } = await client.listTools();
      assert.match(tools.find((tool) => tool.name === 'device_list')?.description ?? '', /Zone C/);

      const gone = await t.rpc('device.deregister', { device_id: c.mcuId });
      assert.equal(gone.error, undefined);
      const read = await call(client, 'sensor_read', { sensor_id: c.bmp });
      assert.equal(read.isError, true);
      assert.match(text(read), /DEVICE_NOT_FOUND/);
      await eventually(() => toolsChanged > 1, 5000, 'list_changed after the device left');
    });

    it('follows a simulated ESP32 as it joins: list_changed, a live sensor_read, telemetry resource updates', async () => {
      let toolsChanged = 0;
      const updates: string[] = [];
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolsChanged++);
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
      const mcu = new SimulatedMcu({ hardwareId: 'esp32-sim-1', board: 'esp32-s3', url: t.mqttUrl, zone: 'Zone S', telemetryIntervalMs: 200, heartbeatIntervalMs: 1000 });
      try {
        await mcu.start();
        await eventually(() => toolsChanged > 0, 5000, 'tools/list_changed after the MCU joined');
        const bmp = await eventually(() => mcu.sensors().find((s) => s.kind === 'bmp580' && s.sensorId !== null)?.sensorId, 5000, 'BMP580 discovered');
        const read = await call(client, 'sensor_read', { sensor_id: bmp });
        assert.equal(read.isError, undefined, text(read));
        assert.equal(read.structuredContent.source, 'device');
        assert.deepEqual(read.structuredContent.readings.map((r: { measurement_type: string }) => r.measurement_type).sort(), ['pressure', 'temperature']);

        const uri = `llmiot://device/${mcu.deviceId}/telemetry`;
        await client.subscribeResource({ uri });
        await eventually(() => updates.includes(uri), 5000, 'telemetry resource update from the simulator');
        const document = JSON.parse(await readText(client, uri));
        assert.ok(document.latest.some((r: { device_id: string }) => r.device_id === bmp));
        await client.unsubscribeResource({ uri });
      } finally {
        await mcu.stop();
      }
    });

    it('lists and reads the fleet, device and telemetry resources', async () => {
      const { resources } = await client.listResources();
      assert.equal(resources[0]?.uri, 'llmiot://fleet');
      assert.ok(resources.some((r) => r.uri === `llmiot://device/${a.mcuId}` && r.name === 'pico-a'));
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((r) => r.uriTemplate), ['llmiot://device/{id}', 'llmiot://device/{id}/telemetry']);

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

    it('notifies a subscriber when its device reports telemetry, at most once a second, and not after unsubscribe', async () => {
      const updates: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
      const uri = `llmiot://device/${b.mcuId}`;
      await client.subscribeResource({ uri });
      const latest = async (device: string): Promise<number | undefined> =>
        (await t.rpc('data.latest', { device_ids: [device], measurement_types: ['temperature'] })).result?.readings[0]?.value;
      for (let i = 0; i < 5; i++) b.link.notify('telemetry.report', { readings: [{ sensor_id: b.bmp, measurement_type: 'temperature', value: 20 + i }] });
      await eventually(() => updates.includes(uri), 3000, 'resources/updated');
      await eventually(async () => (await latest(b.bmp)) === 24, 3000, 'the whole burst stored');
      assert.equal(updates.filter((u) => u === uri).length, 1, 'a burst of telemetry is one update within the second');
      a.link.notify('telemetry.report', { readings: [{ sensor_id: a.bmp, measurement_type: 'temperature', value: 30 }] });
      await eventually(async () => (await latest(a.bmp)) === 30, 3000, "device A's reading stored");
      // The burst's trailing update closes the second; an update for device A would have come at once.
      await eventually(() => updates.filter((u) => u === uri).length === 2, 3000, 'the trailing update of the burst');
      assert.equal(updates.filter((u) => u !== uri).length, 0, 'other devices do not notify this subscription');
      const document = JSON.parse(await readText(client, uri));
      assert.ok(document.latest_readings.some((r: { value: number }) => r.value === 24));

      await client.unsubscribeResource({ uri });
      const count = updates.length;
      // A witness subscription on the same device: its first update is sent at once.
      const witness = `llmiot://device/${b.mcuId}/telemetry`;
      await client.subscribeResource({ uri: witness });
      b.link.notify('telemetry.report', { readings: [{ sensor_id: b.bmp, measurement_type: 'temperature', value: 40 }] });
      await eventually(() => updates.includes(witness), 3000, 'the witness update');
      assert.deepEqual(updates.slice(count), [witness], 'nothing for the unsubscribed resource');
      await client.unsubscribeResource({ uri: witness });
      await assert.rejects(client.subscribeResource({ uri: 'llmiot://device/no-such-board' }), (error: Error & { code?: number }) => error.code === -32002);
    });

    it('offers prompts for the zone report, the health check and batch configuration, with zone completion', async () => {
      const { prompts } = await client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ['greenhouse_report', 'fleet_health_check', 'batch_configure']);
      const report = await client.getPrompt({ name: 'greenhouse_report', arguments: { zone: 'Zone A', hours: '24' } });
      const reportText = report.messages[0]?.content.type === 'text' ? report.messages[0].content.text : '';
      assert.match(reportText, /data_query/);
      assert.match(reportText, /"filter": \{"zone": "Zone A"\}/);
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
