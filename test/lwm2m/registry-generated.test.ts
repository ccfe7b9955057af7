/** The generated LwM2M object table: the 12 shipped objects, sample facts, licences, and freshness. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LWM2M_OBJECT_DEFINITIONS, LWM2M_OBJECT_IDS } from '../../src/protocols/lwm2m/objects/registry.generated.ts';
import type { ObjectDefinition, ResourceDefinition } from '../../src/protocols/lwm2m/objects/object-definition.ts';
import { RESOURCE_OPERATIONS, RESOURCE_TYPES } from '../../src/protocols/lwm2m/objects/object-definition.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const XML_DIR = join(ROOT, 'src/protocols/lwm2m/objects/xml');
const GENERATED = join(ROOT, 'src/protocols/lwm2m/objects/registry.generated.ts');
const GENERATOR = join(ROOT, 'scripts/gen-lwm2m-objects.mjs');

function object(id: number): ObjectDefinition {
  const definition = LWM2M_OBJECT_DEFINITIONS[id];
  assert.ok(definition, `object ${id} is in the table`);
  return definition;
}

function resource(objectId: number, resourceId: number): ResourceDefinition {
  const definition = object(objectId).resources[resourceId];
  assert.ok(definition, `resource /${objectId}/x/${resourceId} is in the table`);
  return definition;
}

describe('generated LwM2M object table', () => {
  it('holds exactly the 12 objects the hub ships, keyed by their id', () => {
    assert.deepEqual([...LWM2M_OBJECT_IDS], [0, 1, 3, 4, 5, 3303, 3304, 3311, 3315, 3323, 3336, 3347]);
    assert.deepEqual(
      Object.keys(LWM2M_OBJECT_DEFINITIONS).map(Number),
      [...LWM2M_OBJECT_IDS],
    );
    for (const id of LWM2M_OBJECT_IDS) assert.equal(object(id).id, id);
  });

  it('carries the registry names, versions and URNs', () => {
    const expected: [number, string, string, string][] = [
      [0, 'LWM2M Security', '1.2', 'urn:oma:lwm2m:oma:0:1.2'],
      [1, 'LwM2M Server', '1.2', 'urn:oma:lwm2m:oma:1:1.2'],
      [3, 'Device', '1.2', 'urn:oma:lwm2m:oma:3:1.2'],
      [4, 'Connectivity Monitoring', '1.3', 'urn:oma:lwm2m:oma:4:1.3'],
      [5, 'Firmware Update', '1.1', 'urn:oma:lwm2m:oma:5:1.1'],
      [3303, 'Temperature', '1.1', 'urn:oma:lwm2m:ext:3303:1.1'],
      [3304, 'Humidity', '1.1', 'urn:oma:lwm2m:ext:3304:1.1'],
      [3311, 'Light Control', '1.0', 'urn:oma:lwm2m:ext:3311'],
      [3315, 'Barometer', '1.1', 'urn:oma:lwm2m:ext:3315:1.1'],
      [3323, 'Pressure', '1.1', 'urn:oma:lwm2m:ext:3323:1.1'],
      [3336, 'Location', '1.1', 'urn:oma:lwm2m:ext:3336:1.1'],
      [3347, 'Push button', '1.1', 'urn:oma:lwm2m:ext:3347:1.1'],
    ];
    for (const [id, name, version, urn] of expected) {
      assert.deepEqual([object(id).name, object(id).version, object(id).urn], [name, version, urn], `object ${id}`);
    }
  });

  it('knows which objects are single-instance and mandatory', () => {
    assert.equal(object(3).multipleInstances, false);
    assert.equal(object(3).mandatory, true);
    assert.equal(object(5).multipleInstances, false);
    assert.equal(object(5).mandatory, false);
    assert.equal(object(0).multipleInstances, true);
    assert.equal(object(3303).multipleInstances, true);
  });

  it('has /3/0/0 Manufacturer as a readable String and /3/0/4 Reboot as an executable', () => {
    assert.deepEqual(resource(3, 0), {
      id: 0,
      name: 'Manufacturer',
      operations: 'R',
      multipleInstances: false,
      mandatory: false,
      type: 'String',
      rangeEnumeration: null,
      units: null,
      description: 'Human readable manufacturer name',
    });
    const reboot = resource(3, 4);
    assert.equal(reboot.name, 'Reboot');
    assert.equal(reboot.operations, 'E');
    assert.equal(reboot.type, 'none');
    assert.equal(reboot.mandatory, true);
    assert.equal(resource(3, 11).multipleInstances, true, '/3/0/11 Error Code has resource instances');
    assert.equal(resource(3, 9).rangeEnumeration, '0..100');
    assert.equal(resource(3, 9).units, '/100');
  });

  it('has /3303 Sensor Value as a readable Float whose units come from 5701 Sensor Units', () => {
    const value = resource(3303, 5700);
    assert.equal(value.name, 'Sensor Value');
    assert.equal(value.type, 'Float');
    assert.equal(value.operations, 'R');
    assert.equal(value.mandatory, true);
    assert.equal(value.units, null, 'the registry gives 5700 no units: the device reports them in 5701');
    const units = resource(3303, 5701);
    assert.equal(units.name, 'Sensor Units');
    assert.equal(units.type, 'String');
    for (const id of [3304, 3315, 3323]) assert.equal(resource(id, 5700).type, 'Float');
  });

  it('has the Firmware Update resources the state machine drives', () => {
    assert.deepEqual([resource(5, 1).name, resource(5, 1).type, resource(5, 1).operations], ['Package URI', 'String', 'RW']);
    assert.deepEqual([resource(5, 0).name, resource(5, 0).type, resource(5, 0).operations], ['Package', 'Opaque', 'W']);
    assert.deepEqual([resource(5, 2).name, resource(5, 2).operations], ['Update', 'E']);
    assert.deepEqual([resource(5, 3).name, resource(5, 3).rangeEnumeration], ['State', '0..3']);
    assert.deepEqual([resource(5, 5).name, resource(5, 5).rangeEnumeration], ['Update Result', '0..11']);
    assert.equal(resource(5, 3).description, 'Indicates current state with respect to this firmware update.');
  });

  it('has /3311/0/5850 On/Off as a read-write Boolean and Dimmer in 0..100', () => {
    assert.deepEqual([resource(3311, 5850).name, resource(3311, 5850).type, resource(3311, 5850).operations], ['On/Off', 'Boolean', 'RW']);
    assert.deepEqual([resource(3311, 5851).type, resource(3311, 5851).rangeEnumeration, resource(3311, 5851).units], ['Integer', '0..100', '/100']);
  });

  it('marks the Security object Bootstrap-only (empty registry Operations) and keeps /0/x/26 MQTT Server', () => {
    for (const r of Object.values(object(0).resources)) assert.equal(r.operations, 'none', `/0/x/${r.id}`);
    assert.deepEqual([resource(0, 26).name, resource(0, 26).type], ['MQTT Server', 'Objlnk']);
    assert.equal(resource(0, 0).name, 'LWM2M Server URI', 'white space in names is collapsed');
  });

  it('has Location and Push button resources used for sensors', () => {
    assert.deepEqual([resource(3336, 5514).name, resource(3336, 5514).type], ['Latitude', 'String']);
    assert.deepEqual([resource(3336, 5515).name, resource(3336, 5515).type], ['Longitude', 'String']);
    assert.deepEqual([resource(3347, 5500).name, resource(3347, 5500).type], ['Digital Input State', 'Boolean']);
    assert.equal(resource(3323, 5821).operations, 'RW');
  });

  it('cuts descriptions to their first sentence', () => {
    assert.equal(object(3).description, 'This LwM2M Object provides a range of device related information which can be queried by the LwM2M Server, and a device reboot and factory reset function.');
    assert.equal(resource(0, 2).description, 'Determines which security mode is used', 'stops where the enumeration starts');
    assert.equal(
      resource(4, 2).description,
      'Indicates the average value of the received signal strength indication used in the current network bearer (as indicated by Resource 0 of this Object).',
      'joins hard-wrapped lines',
    );
    assert.match(resource(4, 3).description, /e\.g\. LQI/, 'does not stop at "e.g."');
  });

  it('uses only the declared types and operations', () => {
    for (const o of Object.values(LWM2M_OBJECT_DEFINITIONS)) {
      for (const r of Object.values(o.resources)) {
        assert.ok((RESOURCE_TYPES as readonly string[]).includes(r.type), `/${o.id}/x/${r.id} type ${r.type}`);
        assert.ok((RESOURCE_OPERATIONS as readonly string[]).includes(r.operations), `/${o.id}/x/${r.id} ops ${r.operations}`);
        if (r.operations === 'E') assert.equal(r.type, 'none', `executable /${o.id}/x/${r.id} has no type (Core TS App. D.1)`);
      }
    }
  });

  it('is deep-frozen', () => {
    assert.ok(Object.isFrozen(LWM2M_OBJECT_DEFINITIONS));
    assert.ok(Object.isFrozen(object(3)));
    assert.ok(Object.isFrozen(object(3).resources));
    assert.ok(Object.isFrozen(resource(3, 0)));
    assert.equal(Reflect.set(resource(3, 0), 'name', 'Changed'), false);
    assert.equal(resource(3, 0).name, 'Manufacturer');
  });
});

describe('shipped registry XML', () => {
  it('is one file per object, each keeping its BSD-3-Clause licence header', () => {
    const files = readdirSync(XML_DIR).filter((f) => f.endsWith('.xml')).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    assert.deepEqual(files, LWM2M_OBJECT_IDS.map((id) => `${id}.xml`));
    for (const file of files) {
      const xml = readFileSync(join(XML_DIR, file), 'utf8');
      assert.match(xml, /Copyright 20(19|20) Open Mobile Alliance/, `${file} copyright`);
      assert.match(xml, /Redistribution and use in source and binary forms, with or without/, `${file} licence`);
      assert.match(xml, /Neither the name of the copyright holder nor the names of its/, `${file} clause 3`);
    }
  });
});

describe('scripts/gen-lwm2m-objects.mjs', () => {
  it('regenerates exactly the committed registry.generated.ts (run `npm run gen:lwm2m` after editing the XML)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwm2m-gen-'));
    try {
      const out = join(dir, 'registry.generated.ts');
      const run = spawnSync(process.execPath, [GENERATOR, '--out', out], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const fresh = readFileSync(out, 'utf8');
      assert.ok(fresh.startsWith('// Generated by scripts/gen-lwm2m-objects.mjs from src/protocols/lwm2m/objects/xml — do not edit.\n'));
      assert.equal(fresh, readFileSync(GENERATED, 'utf8'), 'registry.generated.ts is stale: run node scripts/gen-lwm2m-objects.mjs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
