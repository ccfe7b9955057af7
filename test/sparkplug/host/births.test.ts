// NBIRTH / DBIRTH → registry: edge node = MCU (hardware id = edge_node_id), device = attached sensor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { DataType } from '../../../src/protocols/sparkplug/codec/index.ts';
import { SchemaValidator } from '../../../src/schema/schema-validator.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import { sparkplugIds, TestEdgeNode } from './edge-node.ts';
import { DEVICE_METRICS, NODE_METRICS, edgeNode, startSparkplugHub } from './host-fixtures.ts';

describe('Sparkplug host: BIRTH certificates', () => {
  let t: TestHub;
  const nodes: TestEdgeNode[] = [];
  const schemas = new SchemaValidator();

  before(async () => {
    t = await startSparkplugHub();
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await t.close();
  });

  async function node(prefix: string, bdSeq?: bigint): Promise<TestEdgeNode> {
    const n = await edgeNode(t, prefix, bdSeq === undefined ? {} : { bdSeq });
    nodes.push(n);
    return n;
  }

  it('[tck-id-payloads-nbirth-bdseq][tck-id-operational-behavior-data-publish-nbirth-values] an NBIRTH registers the edge node as an MCU keyed by its edge_node_id, bdSeq kept, values stored', async () => {
    const n = await node('nb', 7n);
    await n.nbirth(NODE_METRICS);
    const got = await eventually(async () => {
      const r = await t.rpc('device.get', { device_id: n.edgeNodeId });
      return r.result?.status === 'online' ? r.result : undefined;
    }, 5000, 'edge node registered');
    assert.equal(got.device_id, deviceIdFor(n.edgeNodeId));
    assert.equal(got.hardware_id, n.edgeNodeId);
    assert.equal(got.device_type, 'mcu');
    assert.equal(got.parent_id, null);
    assert.deepEqual(got.protocols, ['sparkplug']);
    assert.equal(got.manufacturer, 'Raspberry Pi');
    assert.equal(got.model, 'Pi 4 Model B');
    // A valid mcu-static 1.0.0 document; the BIRTH details sit in the `sparkplug` extension.
    const checked = schemas.validate('mcu-static', got.static_schema, '1.0.0');
    assert.ok(checked.unknownFields.includes('/sparkplug'));
    const sp = got.static_schema.sparkplug;
    assert.equal(sp.group_id, n.groupId);
    assert.equal(sp.edge_node_id, n.edgeNodeId);
    assert.deepEqual(
      sp.metrics.find((m: { name: string }) => m.name === 'CPU/Temperature'),
      { name: 'CPU/Temperature', datatype: 'Float', alias: 1, eng_unit: 'celsius' },
    );
    assert.deepEqual(sp.properties, { 'Hardware Make': 'Raspberry Pi', 'Hardware Model': 'Pi 4 Model B' });
    assert.equal(got.dynamic_state.sparkplug.bd_seq, 7);
    assert.equal(got.dynamic_state.sparkplug.metrics, 'live');
    const latest = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [got.device_id] });
      return r.result?.readings?.length >= 2 ? r.result.readings : undefined;
    }, 5000, 'birth values');
    const byName = new Map(latest.map((r: { measurement_type: string }) => [r.measurement_type, r]));
    assert.deepEqual([...byName.keys()].sort(), ['CPU/Temperature', 'Config/Interval'], 'control metrics, properties and bdSeq are not telemetry');
    assert.equal((byName.get('CPU/Temperature') as { value: number }).value, 41.5);
    // engUnit `celsius` is stored as its UCUM code, the reported text kept beside it (docs/measurements.md).
    assert.equal((byName.get('CPU/Temperature') as { unit: string }).unit, 'Cel');
    assert.equal((byName.get('CPU/Temperature') as { source_unit: string }).source_unit, 'celsius');
  });

  it('[tck-id-payloads-dbirth-seq] a DBIRTH registers a sensor attached to the edge node, hardware id {edge_node_id}/{device_id}', async () => {
    const n = await node('db');
    await n.nbirth(NODE_METRICS);
    await n.dbirth('pump-1', DEVICE_METRICS);
    const hardwareId = `${n.edgeNodeId}/pump-1`;
    const got = await eventually(async () => (await t.rpc('device.get', { device_id: hardwareId })).result, 5000, 'device registered');
    assert.equal(got.device_id, deviceIdFor(hardwareId));
    assert.equal(got.device_type, 'sensor');
    assert.equal(got.parent_id, deviceIdFor(n.edgeNodeId));
    assert.equal(got.status, 'online');
    assert.equal(got.manufacturer, 'unknown');
    assert.equal(got.model, 'Sparkplug device');
    schemas.validate('sensor-static', got.static_schema, '1.0.0');
    const measurements = got.static_schema.measurements as { measurement_type: string; unit: string }[];
    assert.deepEqual(measurements.find((m) => m.measurement_type === 'Inputs/Pressure')?.unit, 'bar');
    assert.deepEqual(measurements.find((m) => m.measurement_type === 'Inputs/Offset')?.unit, 'none');
    assert.equal(got.static_schema.sparkplug.device_id, 'pump-1');
    const mcu = await t.rpc('device.get', { device_id: n.edgeNodeId });
    assert.deepEqual(mcu.result.attached, [got.device_id]);
    const listed = await t.rpc('device.list', { protocol: 'sparkplug', measurement_type: 'Inputs/Pressure' });
    assert.deepEqual(listed.result.devices.map((d: { device_id: string }) => d.device_id), [got.device_id]);
  });

  it('a node already registered natively under the same hardware id stays one device, speaking both protocols', async () => {
    // Born on the device's own connection (client id = hardware id); from any other it would be refused (test/security).
    const ids = sparkplugIds('dual');
    const n = await TestEdgeNode.connect({ url: t.mqttUrl, ...ids, clientId: ids.edgeNodeId });
    nodes.push(n);
    const registered = await t.rpc('device.register', {
      device_type: 'mcu',
      hardware_id: n.edgeNodeId,
      static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' },
    });
    assert.equal(registered.error, undefined, JSON.stringify(registered.error));
    await n.nbirth([{ name: 'Inputs/Level', datatype: DataType.Int32, value: 3 }]);
    const got = await eventually(async () => {
      const r = await t.rpc('device.get', { device_id: n.edgeNodeId });
      return r.result?.protocols?.length === 2 ? r.result : undefined;
    }, 5000, 'both protocols');
    assert.equal(got.device_id, registered.result.device_id);
    assert.deepEqual(got.protocols, ['native', 'sparkplug']);
    // The BIRTH names no hardware: what the native registration said is kept.
    assert.equal(got.manufacturer, 'Espressif');
    assert.equal(got.model, 'ESP32-S3');
    assert.ok(got.static_schema.sparkplug, 'BIRTH details merged in');
    const all = await t.rpc('device.list', { search: n.edgeNodeId });
    assert.equal(all.result.devices.length, 1);
  });

  it('a node without hardware properties gets placeholders, and a rebirth keeps its UUID', async () => {
    const n = await node('plain');
    await n.nbirth([{ name: 'Inputs/A', datatype: DataType.Int32, value: 1 }]);
    const first = await eventually(async () => (await t.rpc('device.get', { device_id: n.edgeNodeId })).result, 5000, 'registered');
    assert.equal(first.manufacturer, 'unknown');
    assert.equal(first.model, 'Sparkplug edge node');
    assert.equal(first.name, `Sparkplug edge node ${n.edgeNodeId}`);
    await n.nbirth([{ name: 'Inputs/A', datatype: DataType.Int32, value: 2 }, { name: 'Inputs/B', datatype: DataType.Boolean, value: true }]);
    const second = await eventually(async () => {
      const r = (await t.rpc('device.get', { device_id: n.edgeNodeId })).result;
      return r.static_schema.sparkplug.metrics.some((m: { name: string }) => m.name === 'Inputs/B') ? r : undefined;
    }, 5000, 'rebirth seen');
    assert.equal(second.device_id, first.device_id);
    assert.equal(second.registered_at, first.registered_at);
  });
});
