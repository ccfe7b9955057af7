/** LwM2M path parsing and formatting, plain and against the object model (strict). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lwm2mPathError } from '../../src/protocols/lwm2m/errors/lwm2m-path-error.ts';
import { formatPath, parsePath, pathLevel, type Lwm2mPath } from '../../src/protocols/lwm2m/lwm2m-path.ts';
import { ObjectModel } from '../../src/protocols/lwm2m/object-model.ts';

const model = new ObjectModel();

function rejects(run: () => unknown, path: string, reason: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof Lwm2mPathError, `expected Lwm2mPathError, got ${String(error)}`);
    assert.equal(error.code, 'LWM2M_INVALID_PATH');
    assert.equal(error.path, path);
    assert.match(error.reason, reason);
    assert.ok(error.message.includes(JSON.stringify(path)), error.message);
    return true;
  });
}

describe('parsePath', () => {
  const valid: ReadonlyArray<readonly [string, Lwm2mPath, string]> = [
    ['/3', { objectId: 3 }, 'object'],
    ['/3/0', { objectId: 3, instanceId: 0 }, 'instance'],
    ['/3/0/1', { objectId: 3, instanceId: 0, resourceId: 1 }, 'resource'],
    ['/3/0/7/1', { objectId: 3, instanceId: 0, resourceId: 7, resourceInstanceId: 1 }, 'resource-instance'],
    ['/3303/12/5700', { objectId: 3303, instanceId: 12, resourceId: 5700 }, 'resource'],
    ['/65535/65535/65535/65535', { objectId: 65535, instanceId: 65535, resourceId: 65535, resourceInstanceId: 65535 }, 'resource-instance'],
    ['/0', { objectId: 0 }, 'object'],
  ];
  for (const [text, expected, level] of valid) {
    it(`reads ${text}`, () => {
      const path = parsePath(text);
      assert.deepEqual(path, expected);
      assert.equal(pathLevel(path), level);
      assert.equal(formatPath(path), text, 'formats back to the same text');
    });
  }

  it('omits absent levels rather than setting them to undefined', () => {
    assert.deepEqual(Object.keys(parsePath('/3/0')), ['objectId', 'instanceId']);
  });

  const invalid: ReadonlyArray<readonly [string, RegExp]> = [
    ['', /must start with "\/"/],
    ['3/0', /must start with "\/"/],
    ['/', /empty object id/],
    ['/3/', /empty instance id \(trailing or doubled "\/"\)/],
    ['/3//1', /empty instance id/],
    ['/3/0/1/', /empty resource instance id/],
    ['/a', /object id "a" is not a decimal integer/],
    ['/3/-1', /instance id "-1" is not a decimal integer/],
    ['/3/0/1.5', /resource id "1.5" is not a decimal integer/],
    ['/3/ 0', /instance id " 0" is not a decimal integer/],
    ['/3/01', /instance id "01" has a leading zero/],
    ['/65536', /object id 65536 is out of range 0..65535/],
    ['/3/0/70000', /resource id 70000 is out of range/],
    ['/3/0/7/99999', /resource instance id 99999 is out of range/],
    ['/3/0/7/1/2', /too many segments \(5\)/],
    ['/3/0?x=1', /instance id "0\?x=1" is not a decimal integer/],
  ];
  for (const [text, reason] of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => rejects(() => parsePath(text), text, reason));
  }

  it('rejects a non-string with a path error, not a TypeError', () => {
    rejects(() => parsePath(42 as unknown as string), '42', /not a string/);
  });
});

describe('ObjectModel.parsePath', () => {
  it('accepts unknown objects unless strict', () => {
    assert.deepEqual(model.parsePath('/32769/0/1'), { objectId: 32769, instanceId: 0, resourceId: 1 });
    rejects(() => model.parsePath('/32769/0/1', { strict: true }), '/32769/0/1', /unknown object 32769/);
  });

  it('in strict mode wants a known resource of that object', () => {
    assert.deepEqual(model.parsePath('/3303/0/5700', { strict: true }), { objectId: 3303, instanceId: 0, resourceId: 5700 });
    rejects(() => model.parsePath('/3/0/99', { strict: true }), '/3/0/99', /object 3 Device has no resource 99/);
  });

  it('in strict mode allows resource instances only on multiple-instance resources', () => {
    assert.deepEqual(model.parsePath('/3/0/11/2', { strict: true }), { objectId: 3, instanceId: 0, resourceId: 11, resourceInstanceId: 2 });
    rejects(() => model.parsePath('/3/0/0/1', { strict: true }), '/3/0/0/1', /resource 0 Manufacturer is single-instance/);
  });

  it('still applies the syntax rules first', () => {
    rejects(() => model.parsePath('/3/x', { strict: true }), '/3/x', /not a decimal integer/);
  });
});

describe('formatPath', () => {
  it('formats every depth', () => {
    assert.equal(model.formatPath({ objectId: 5 }), '/5');
    assert.equal(model.formatPath({ objectId: 5, instanceId: 0, resourceId: 1 }), '/5/0/1');
  });

  it('refuses a resource without its instance', () => {
    assert.throws(() => formatPath({ objectId: 3, resourceId: 1 }), (error: unknown) => {
      assert.ok(error instanceof Lwm2mPathError);
      assert.equal(error.path, '/3/?/1');
      assert.match(error.reason, /instance id missing above a deeper id/);
      return true;
    });
  });

  it('refuses ids that are not 16-bit integers', () => {
    assert.throws(() => formatPath({ objectId: 3, instanceId: 70000 }), /instance id 70000 is not an integer in 0..65535/);
    assert.throws(() => formatPath({ objectId: 1.5 }), /object id 1.5 is not an integer/);
    assert.throws(() => formatPath({ objectId: -1 }), Lwm2mPathError);
  });
});
