/** ObjectModel look-ups, value conversion per LwM2M data type, and operation checks. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lwm2mOperationError } from '../../src/protocols/lwm2m/errors/lwm2m-operation-error.ts';
import { Lwm2mPathError } from '../../src/protocols/lwm2m/errors/lwm2m-path-error.ts';
import { Lwm2mValueError } from '../../src/protocols/lwm2m/errors/lwm2m-value-error.ts';
import { ObjectModel } from '../../src/protocols/lwm2m/object-model.ts';
import type { ObjectDefinition } from '../../src/protocols/lwm2m/objects/object-definition.ts';

const model = new ObjectModel();

function valueError(run: () => unknown, path: string, expected: string, received: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof Lwm2mValueError, `expected Lwm2mValueError, got ${String(error)}`);
    assert.equal(error.code, 'LWM2M_INVALID_VALUE');
    assert.equal(error.path, path);
    assert.equal(error.expected, expected);
    assert.equal(error.message, `invalid value for ${path}: expected ${expected}, received ${received}`);
    return true;
  });
}

describe('ObjectModel look-ups', () => {
  it('lists and finds objects and resources', () => {
    assert.deepEqual(model.objectIds(), [0, 1, 3, 4, 5, 3303, 3304, 3311, 3315, 3323, 3336, 3347]);
    assert.equal(model.object(3)?.name, 'Device');
    assert.equal(model.resource(3303, 5700)?.name, 'Sensor Value');
    assert.equal(model.object(2), undefined);
    assert.equal(model.resource(3, 99), undefined);
    assert.equal(model.resource(9999, 0), undefined);
  });

  it('does not mistake inherited properties for objects', () => {
    assert.equal(model.object('constructor' as unknown as number), undefined);
    assert.equal(model.resource(3, 'toString' as unknown as number), undefined);
  });

  it('works over any table, e.g. a vendor object', () => {
    const vendor: ObjectDefinition = {
      id: 32769,
      name: 'Valve',
      version: '1.0',
      lwm2mVersion: '1.1',
      urn: 'urn:oma:lwm2m:x:32769',
      multipleInstances: true,
      mandatory: false,
      description: 'A valve.',
      resources: {
        0: { id: 0, name: 'Open', operations: 'RW', multipleInstances: false, mandatory: true, type: 'Boolean', rangeEnumeration: null, units: null, description: 'Open.' },
      },
    };
    const custom = new ObjectModel({ 32769: vendor });
    assert.deepEqual(custom.objectIds(), [32769]);
    assert.equal(custom.convertValue(32769, 0, '1'), true);
    assert.equal(custom.object(3), undefined);
  });
});

describe('ObjectModel.convertValue', () => {
  it('String: strings only, within the octet range', () => {
    assert.equal(model.convertValue(3, 0, 'Acme'), 'Acme');
    valueError(() => model.convertValue(3, 0, 42, { instanceId: 0 }), '/3/0/0', 'String', '42');
    assert.equal(model.convertValue(5, 1, 'coaps://example.org/fw'), 'coaps://example.org/fw');
    valueError(() => model.convertValue(5, 1, 'x'.repeat(256), { instanceId: 0 }), '/5/0/1', 'String of 0..255 octets', `"${'x'.repeat(76)}...`);
  });

  it('Integer: numbers, bigints and decimal text within int64; bigint beyond 2^53', () => {
    assert.equal(model.convertValue(3, 10, 42), 42);
    assert.equal(model.convertValue(3, 10, '-17'), -17);
    assert.equal(model.convertValue(3, 10, 42n), 42);
    assert.equal(model.convertValue(3, 10, '9007199254740993'), 9007199254740993n);
    assert.equal(model.convertValue(3, 10, '-9223372036854775808'), -(2n ** 63n));
    valueError(() => model.convertValue(3, 10, '9223372036854775808'), '/3/*/10', 'Integer', '"9223372036854775808"');
    valueError(() => model.convertValue(3, 10, 1.5), '/3/*/10', 'Integer', '1.5');
    valueError(() => model.convertValue(3, 10, 2 ** 60), '/3/*/10', 'Integer', String(2 ** 60));
    valueError(() => model.convertValue(3, 10, '0x10'), '/3/*/10', 'Integer', '"0x10"');
    valueError(() => model.convertValue(3, 10, true), '/3/*/10', 'Integer', 'true');
  });

  it('Integer: the registry range applies (/3/0/9 Battery Level 0..100)', () => {
    assert.equal(model.convertValue(3, 9, 100), 100);
    valueError(() => model.convertValue(3, 9, 101, { instanceId: 0 }), '/3/0/9', 'Integer in 0..100', '101');
    valueError(() => model.convertValue(3, 9, -1, { instanceId: 0 }), '/3/0/9', 'Integer in 0..100', '-1');
  });

  it('Unsigned Integer: 0..2^64-1', () => {
    assert.equal(model.convertValue(1, 1, 3600), 3600);
    assert.equal(model.convertValue(1, 1, '18446744073709551615'), 2n ** 64n - 1n);
    valueError(() => model.convertValue(1, 1, -1), '/1/*/1', 'Unsigned Integer', '-1');
    valueError(() => model.convertValue(1, 1, '18446744073709551616'), '/1/*/1', 'Unsigned Integer', '"18446744073709551616"');
  });

  it('Float: finite numbers and numeric text', () => {
    assert.equal(model.convertValue(3303, 5700, 21.5), 21.5);
    assert.equal(model.convertValue(3303, 5700, '-3.25e1'), -32.5);
    assert.equal(model.convertValue(3303, 5700, 20), 20);
    valueError(() => model.convertValue(3303, 5700, 'hot', { instanceId: 0 }), '/3303/0/5700', 'Float', '"hot"');
    valueError(() => model.convertValue(3303, 5700, Number.NaN), '/3303/*/5700', 'Float', 'NaN');
    valueError(() => model.convertValue(3303, 5700, Number.POSITIVE_INFINITY), '/3303/*/5700', 'Float', 'Infinity');
    valueError(() => model.convertValue(3303, 5700, true), '/3303/*/5700', 'Float', 'true');
    valueError(() => model.convertValue(3303, 5700, null), '/3303/*/5700', 'Float', 'null');
  });

  it('Boolean: true/false, "true"/"false", 0/1 and plain-text "0"/"1" only', () => {
    for (const yes of [true, 'true', 1, '1']) assert.equal(model.convertValue(3311, 5850, yes), true, String(yes));
    for (const no of [false, 'false', 0, '0']) assert.equal(model.convertValue(3311, 5850, no), false, String(no));
    for (const [bad, shown] of [['yes', '"yes"'], ['TRUE', '"TRUE"'], [2, '2'], [null, 'null'], ['', '""']] as const) {
      valueError(() => model.convertValue(3311, 5850, bad, { instanceId: 0 }), '/3311/0/5850', 'Boolean', shown);
    }
  });

  it('Time: seconds since the epoch; ISO 8601 text with a zone; Date', () => {
    assert.equal(model.convertValue(3, 13, 1_700_000_000), 1_700_000_000);
    assert.equal(model.convertValue(3, 13, '1700000000'), 1_700_000_000);
    assert.equal(model.convertValue(3, 13, '2024-01-01T00:00:00Z'), 1_704_067_200);
    assert.equal(model.convertValue(3, 13, '2024-01-01T01:00:00.999+01:00'), 1_704_067_200);
    assert.equal(model.convertValue(3, 13, '2024-01-01'), 1_704_067_200);
    assert.equal(model.convertValue(3, 13, new Date(1_704_067_200_500)), 1_704_067_200);
    valueError(() => model.convertValue(3, 13, '2024-01-01T00:00:00'), '/3/*/13', 'Time', '"2024-01-01T00:00:00"');
    valueError(() => model.convertValue(3, 13, 'yesterday'), '/3/*/13', 'Time', '"yesterday"');
    valueError(() => model.convertValue(3, 13, 1.5), '/3/*/13', 'Time', '1.5');
  });

  it('Opaque: bytes, padded base64, or unpadded base64url', () => {
    assert.deepEqual(model.convertValue(5, 0, 'AQID'), Uint8Array.of(1, 2, 3));
    assert.deepEqual(model.convertValue(5, 0, 'AQIDBAU='), Uint8Array.of(1, 2, 3, 4, 5));
    assert.deepEqual(model.convertValue(5, 0, '-_8'), Uint8Array.of(0xfb, 0xff));
    assert.deepEqual(model.convertValue(5, 0, ''), new Uint8Array());
    const bytes = Uint8Array.of(9, 8);
    const copy = model.convertValue(5, 0, bytes);
    assert.deepEqual(copy, bytes);
    assert.notEqual(copy, bytes, 'a copy, not the caller buffer');
    valueError(() => model.convertValue(5, 0, 'not base64!'), '/5/*/0', 'Opaque', '"not base64!"');
    valueError(() => model.convertValue(5, 0, 'A'), '/5/*/0', 'Opaque', '"A"');
    valueError(() => model.convertValue(5, 0, [1, 2]), '/5/*/0', 'Opaque', '[1,2]');
  });

  it('Objlnk: "oid:iid" or {objectId, instanceId}, 16-bit each', () => {
    assert.deepEqual(model.convertValue(3, 22, '3:0'), { objectId: 3, instanceId: 0 });
    assert.deepEqual(model.convertValue(3, 22, '65535:65535'), { objectId: 65535, instanceId: 65535 });
    assert.deepEqual(model.convertValue(3, 22, { objectId: 5, instanceId: 1 }), { objectId: 5, instanceId: 1 });
    valueError(() => model.convertValue(3, 22, '3:70000'), '/3/*/22', 'Objlnk', '"3:70000"');
    valueError(() => model.convertValue(3, 22, '3-0'), '/3/*/22', 'Objlnk', '"3-0"');
    valueError(() => model.convertValue(3, 22, { objectId: 3 }), '/3/*/22', 'Objlnk', '{"objectId":3}');
  });

  it('none: an executable resource takes no value', () => {
    valueError(() => model.convertValue(3, 4, 1, { instanceId: 0 }), '/3/0/4', 'no value (executable resource)', '1');
  });

  it('names the resource instance when given', () => {
    valueError(() => model.convertValue(3, 11, 'x', { instanceId: 0, resourceInstanceId: 2 }), '/3/0/11/2', 'Integer in 0..32', '"x"');
  });

  it('rejects unknown objects and resources with a path error', () => {
    assert.throws(() => model.convertValue(3, 99, 1), (error: unknown) => {
      assert.ok(error instanceof Lwm2mPathError);
      assert.equal(error.path, '/3/*/99');
      assert.match(error.message, /object 3 Device has no resource 99/);
      return true;
    });
    assert.throws(() => model.convertValue(9999, 0, 1), /unknown object 9999/);
  });
});

describe('ObjectModel.checkOperation', () => {
  function denied(path: string, operation: 'read' | 'write' | 'execute', reason: RegExp): void {
    assert.throws(() => model.checkOperation(path, operation), (error: unknown) => {
      assert.ok(error instanceof Lwm2mOperationError, `expected Lwm2mOperationError, got ${String(error)}`);
      assert.equal(error.code, 'LWM2M_OPERATION_NOT_ALLOWED');
      assert.equal(error.operation, operation);
      assert.equal(error.path, path);
      assert.match(error.message, new RegExp(`^${operation} not allowed on ${path}: `));
      assert.match(error.reason, reason);
      return true;
    });
  }

  it('allows what the resource definition permits', () => {
    const allowed: ReadonlyArray<readonly [string, 'read' | 'write' | 'execute']> = [
      ['/3/0/0', 'read'],
      ['/3/0/4', 'execute'],
      ['/3/0/13', 'write'],
      ['/5/0/1', 'read'],
      ['/5/0/1', 'write'],
      ['/5/0/0', 'write'],
      ['/5/0/2', 'execute'],
      ['/3311/0/5850', 'write'],
      ['/3303/1/5700', 'read'],
      ['/3/0/11/0', 'read'],
      ['/3', 'read'],
      ['/3/0', 'read'],
      ['/3/0', 'write'],
    ];
    for (const [path, operation] of allowed) assert.doesNotThrow(() => model.checkOperation(path, operation), `${operation} ${path}`);
  });

  it('refuses writing /3/0/0 Manufacturer', () => denied('/3/0/0', 'write', /resource 0 Manufacturer allows R only/));
  it('refuses executing a readable resource', () => denied('/3/0/0', 'execute', /allows R only; only E resources are executable/));
  it('refuses reading an executable resource', () => denied('/3/0/4', 'read', /resource 4 Reboot allows E only/));
  it('refuses reading the write-only /5/0/0 Package', () => denied('/5/0/0', 'read', /resource 0 Package allows W only/));
  it('refuses writing /3303/0/5700 Sensor Value', () => denied('/3303/0/5700', 'write', /allows R only/));
  it('refuses executing objects, instances and resource instances', () => {
    denied('/3', 'execute', /Execute targets a resource/);
    denied('/3/0', 'execute', /Execute targets a resource/);
    denied('/3/0/11/0', 'execute', /not a resource instance/);
  });
  it('refuses writing a whole object', () => denied('/3', 'write', /Write targets an object instance or a resource/));
  it('keeps the Security object to the Bootstrap-Server', () => {
    denied('/0', 'read', /reserved to the LwM2M Bootstrap-Server/);
    denied('/0/0', 'write', /reserved to the LwM2M Bootstrap-Server/);
    denied('/0/0/0', 'read', /Bootstrap-Server only/);
  });

  it('accepts a parsed path too', () => {
    assert.doesNotThrow(() => model.checkOperation({ objectId: 3, instanceId: 0, resourceId: 4 }, 'execute'));
    assert.throws(() => model.checkOperation({ objectId: 3, instanceId: 0, resourceId: 0 }, 'write'), Lwm2mOperationError);
  });

  it('rejects unknown or malformed paths with a path error', () => {
    assert.throws(() => model.checkOperation('/9999/0/0', 'read'), Lwm2mPathError);
    assert.throws(() => model.checkOperation('/3/0/99', 'read'), /object 3 Device has no resource 99/);
    assert.throws(() => model.checkOperation('/3/0/0/1', 'read'), /single-instance/);
    assert.throws(() => model.checkOperation({ objectId: 9999 }, 'read'), /unknown object 9999/);
    assert.throws(() => model.checkOperation('3/0/0', 'read'), Lwm2mPathError);
  });
});
