/** Registration parsing: the seed's JSON as written, CoRE link lists, typing, and every rejection. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lwm2mPathError } from '../../src/protocols/lwm2m/errors/lwm2m-path-error.ts';
import { Lwm2mRegistrationError } from '../../src/protocols/lwm2m/errors/lwm2m-registration-error.ts';
import { Lwm2mValueError } from '../../src/protocols/lwm2m/errors/lwm2m-value-error.ts';
import {
  deviceInfoFromObject3,
  parseRegistration,
  sensorsFromRegistration,
  type Registration,
  type RegisteredObject,
} from '../../src/protocols/lwm2m/registration.ts';

// Verbatim from shared/seeds/002 ("LwM2M Registration (MQTT)", topic lwm2m/device-temp-001/reg).
const SEED_REGISTRATION = `{
  "endpoint": "device-temp-001",
  "lifetime": 3600,
  "version": "1.2",
  "bindingMode": "UQ",
  "objects": {
    "3": { "0": { "0": "IoT Testing Corp", "1": "SimDevice-temperature_sensor" }}
  }
}`;

const base = { endpoint: 'ep-1', version: '1.2' } as const;

function objectOf(registration: Registration, id: number): RegisteredObject {
  const found = registration.objects.find((o) => o.objectId === id);
  assert.ok(found, `object ${id} registered`);
  return found;
}

function registrationError(input: unknown, field: string, reason: RegExp): void {
  assert.throws(() => parseRegistration(input), (error: unknown) => {
    assert.ok(error instanceof Lwm2mRegistrationError, `expected Lwm2mRegistrationError, got ${String(error)}`);
    assert.equal(error.code, 'LWM2M_INVALID_REGISTRATION');
    assert.equal(error.field, field);
    assert.match(error.reason, reason);
    return true;
  });
}

describe('parseRegistration: the seed registration', () => {
  it('accepts the seed JSON exactly as written', () => {
    const registration = parseRegistration(JSON.parse(SEED_REGISTRATION));
    assert.deepEqual(registration, {
      endpoint: 'device-temp-001',
      lifetimeS: 3600,
      version: '1.2',
      binding: { raw: 'UQ', transports: ['U'], queueMode: true },
      contentFormats: [],
      objects: [
        {
          objectId: 3,
          known: true,
          name: 'Device',
          instances: [{ instanceId: 0, resources: { 0: 'IoT Testing Corp', 1: 'SimDevice-temperature_sensor' } }],
        },
      ],
      unknownObjects: [],
    });
  });

  it('accepts the same message as JSON text and as UTF-8 bytes', () => {
    const fromObject = parseRegistration(JSON.parse(SEED_REGISTRATION));
    assert.deepEqual(parseRegistration(SEED_REGISTRATION), fromObject);
    assert.deepEqual(parseRegistration(new TextEncoder().encode(SEED_REGISTRATION)), fromObject);
  });

  it('gives the hub the device description from /3/0', () => {
    const registration = parseRegistration(SEED_REGISTRATION);
    assert.deepEqual(deviceInfoFromObject3(registration), { manufacturer: 'IoT Testing Corp', model: 'SimDevice-temperature_sensor' });
    assert.deepEqual(sensorsFromRegistration(registration), [], 'the seed device lists no IPSO object');
  });

  it('ignores fields it does not know', () => {
    const registration = parseRegistration({ ...JSON.parse(SEED_REGISTRATION), firmware: 'x', sms: '123' });
    assert.equal(registration.endpoint, 'device-temp-001');
  });
});

describe('parseRegistration: CoRE link object lists', () => {
  it('reads </1/0>,</3/0>,</3303/0> into objects and instances', () => {
    const registration = parseRegistration({ ...base, objectLinks: '</1/0>,</3/0>,</3303/0>' });
    assert.deepEqual(
      registration.objects.map((o) => [o.objectId, o.instances.map((i) => i.instanceId)]),
      [[1, [0]], [3, [0]], [3303, [0]]],
    );
    assert.deepEqual(objectOf(registration, 3303).instances[0]?.resources, {});
    assert.equal(registration.lifetimeS, 86_400, 'lifetime defaults to 86400 s (Core TS Table 6.2.1-1)');
    assert.deepEqual(registration.binding, { raw: 'U', transports: ['U'], queueMode: false });
  });

  it('reads the root link content formats, object versions, bare objects and the alternate path', () => {
    const registration = parseRegistration({
      ...base,
      objectLinks: '</lwm2m>;rt="oma.lwm2m", </lwm2m/>;ct="110 112 11544", </lwm2m/1/0>, </lwm2m/3303>;ver=1.1, </lwm2m/3303/2>, </lwm2m/3303/0>',
    });
    assert.deepEqual(registration.contentFormats, [110, 112, 11544]);
    assert.equal(objectOf(registration, 3303).version, '1.1');
    assert.deepEqual(objectOf(registration, 3303).instances.map((i) => i.instanceId), [0, 2]);
    assert.equal(objectOf(registration, 1).version, undefined);
    assert.ok(!('version' in objectOf(registration, 1)));
  });

  it('accepts the list as an array of links (EMQX objectList style)', () => {
    const registration = parseRegistration({ ...base, objectLinks: ['</1/0>', '</3/0>'] });
    assert.deepEqual(registration.objects.map((o) => o.objectId), [1, 3]);
  });

  it('merges links and values', () => {
    const registration = parseRegistration({
      ...base,
      objectLinks: '</3/0>,</3303/0>,</3303/1>',
      objects: { '3303': { '1': { '5700': 19.25, '5701': 'Cel' } } },
    });
    assert.deepEqual(objectOf(registration, 3303).instances, [
      { instanceId: 0, resources: {} },
      { instanceId: 1, resources: { 5700: 19.25, 5701: 'Cel' } },
    ]);
  });

  it('rejects malformed links and links to resources', () => {
    registrationError({ ...base, objectLinks: '/3/0' }, 'objectLinks', /expected "<" at offset 0/);
    registrationError({ ...base, objectLinks: '</3/0' }, 'objectLinks', /missing ">"/);
    registrationError({ ...base, objectLinks: '</3/0>;ver="1.1' }, 'objectLinks', /unterminated quoted string/);
    registrationError({ ...base, objectLinks: '</3/0> </4/0>' }, 'objectLinks', /expected "," or ";"/);
    registrationError({ ...base, objectLinks: '' }, 'objectLinks', /empty link list/);
    registrationError({ ...base, objectLinks: 42 }, 'objectLinks', /expected CoRE Link Format text/);
    registrationError({ ...base, objectLinks: '</3/0/1>' }, 'objectLinks', /names a resource/);
    assert.throws(() => parseRegistration({ ...base, objectLinks: '</3/x>' }), Lwm2mPathError);
  });
});

describe('parseRegistration: resource values', () => {
  it('converts values to their resource types', () => {
    const registration = parseRegistration({
      ...base,
      objects: {
        '3': { '0': { '0': 'Acme', '9': 87, '13': '2024-01-01T00:00:00Z', '11': [0], '6': { '0': 1, '2': 5 }, '7': 3300 } },
        '3303': { '0': { '5700': '21.5', '5701': 'Cel' } },
        '3311': { '0': { '5850': '1', '5851': 40 } },
        '5': { '0': { '1': 'coaps://fw.example/pkg', '3': 0, '5': 0 } },
      },
    });
    const device = objectOf(registration, 3).instances[0]?.resources ?? {};
    assert.equal(device[9], 87);
    assert.equal(device[13], 1_704_067_200);
    assert.deepEqual(device[11], new Map([[0, 0]]));
    assert.deepEqual(device[6], new Map([[0, 1], [2, 5]]));
    assert.deepEqual(device[7], new Map([[0, 3300]]), 'a lone value of a multiple resource is instance 0');
    assert.equal(objectOf(registration, 3303).instances[0]?.resources[5700], 21.5);
    assert.equal(objectOf(registration, 3311).instances[0]?.resources[5850], true);
  });

  it('rejects a wrongly typed value with its path, the type expected and the value received', () => {
    assert.throws(
      () => parseRegistration({ ...base, objects: { '3303': { '0': { '5700': 'hot' } } } }),
      (error: unknown) => {
        assert.ok(error instanceof Lwm2mValueError);
        assert.equal(error.path, '/3303/0/5700');
        assert.equal(error.message, 'invalid value for /3303/0/5700: expected Float, received "hot"');
        return true;
      },
    );
    assert.throws(
      () => parseRegistration({ ...base, objects: { '3': { '0': { '11': [0, 'low battery'] } } } }),
      { name: 'Lwm2mValueError', path: '/3/0/11/1' },
    );
    assert.throws(() => parseRegistration({ ...base, objects: { '3': { '0': { '4': 1 } } } }), /\/3\/0\/4: expected no value \(executable resource\)/);
    assert.throws(() => parseRegistration({ ...base, objects: { '3': { '0': { '0': ['a', 'b'] } } } }), { name: 'Lwm2mValueError', path: '/3/0/0' });
    assert.throws(() => parseRegistration({ ...base, objects: { '3311': { '0': { '5851': 101 } } } }), /expected Integer in 0..100, received 101/);
    assert.throws(
      () => parseRegistration({ ...base, objects: { '3': { '0': { '11': { '0': 0, x: 1 } } } } }),
      { name: 'Lwm2mValueError', path: '/3/0/11/0' },
      'a map with a non-numeric key is not a resource instance map',
    );
  });

  it('rejects unknown resources, bad ids and extra instances of single-instance objects with path errors', () => {
    const pathError = (objects: unknown, path: string, reason: RegExp): void => {
      assert.throws(() => parseRegistration({ ...base, objects }), (error: unknown) => {
        assert.ok(error instanceof Lwm2mPathError, `expected Lwm2mPathError, got ${String(error)}`);
        assert.equal(error.path, path);
        assert.match(error.reason, reason);
        return true;
      });
    };
    pathError({ '3': { '0': { '99': 1 } } }, '/3/0/99', /object 3 Device has no resource 99/);
    pathError({ '3': { 'x': {} } }, '/3/x', /instance id "x" is not a decimal integer/);
    pathError({ '3': { '0/1': {} } }, '/3/0/1', /is not a decimal integer/);
    pathError({ '03': { '0': {} } }, '/03', /leading zero/);
    pathError({ '70000': { '0': {} } }, '/70000', /out of range/);
    pathError({ '3': { '1': { '0': 'Acme' } } }, '/3/1', /object 3 Device is single-instance: its only instance is 0/);
  });

  it('keeps unknown objects untyped and flags them', () => {
    const registration = parseRegistration({
      ...base,
      objectLinks: '</3/0>,</32769/0>,</10241>',
      objects: { '32769': { '0': { '1': 'open', '2': 12.5, '3': [true, false] } } },
    });
    assert.deepEqual(registration.unknownObjects, [10241, 32769]);
    const vendor = objectOf(registration, 32769);
    assert.equal(vendor.known, false);
    assert.equal(vendor.name, null);
    assert.deepEqual(vendor.instances[0]?.resources, { 1: 'open', 2: 12.5, 3: new Map([[0, true], [1, false]]) });
    assert.equal(objectOf(registration, 3).known, true);
    assert.throws(() => parseRegistration({ ...base, objects: { '32769': { '0': { '1': null } } } }), { name: 'Lwm2mValueError', path: '/32769/0/1' });
    assert.throws(() => parseRegistration({ ...base, objects: { '32769': { '0': { '1': { a: 1 } } } } }), { name: 'Lwm2mValueError', path: '/32769/0/1' });
  });
});

describe('parseRegistration: envelope checks', () => {
  it('requires an endpoint', () => {
    registrationError({ version: '1.2', objects: {} }, 'endpoint', /non-empty endpoint client name/);
    registrationError({ ...base, endpoint: '  ', objects: {} }, 'endpoint', /non-empty/);
    registrationError({ ...base, endpoint: 7, objects: {} }, 'endpoint', /non-empty/);
    registrationError({ ...base, endpoint: 'a\nb', objects: {} }, 'endpoint', /control characters/);
  });

  it('wants whole, non-negative seconds for the lifetime', () => {
    for (const lifetime of [-1, 1.5, '3600', 2 ** 32, null, 5n]) {
      registrationError({ ...base, lifetime, objects: {} }, 'lifetime', /expected whole seconds/);
    }
    assert.equal(parseRegistration({ ...base, lifetime: 0, objects: {} }).lifetimeS, 0);
  });

  it('accepts LwM2M 1.0, 1.1 and 1.2 only', () => {
    assert.equal(parseRegistration({ ...base, version: '1.1', objects: {} }).version, '1.1');
    assert.equal(parseRegistration({ ...base, version: '1.0.2', objects: {} }).version, '1.0');
    registrationError({ ...base, version: '2.0', objects: {} }, 'version', /unsupported LwM2M version "2.0"; supported 1.0, 1.1, 1.2/);
    registrationError({ endpoint: 'ep', objects: {} }, 'version', /unsupported LwM2M version \(missing\)/);
    registrationError({ ...base, version: 1.2, objects: {} }, 'version', /unsupported/);
  });

  it('reads binding letters and both forms of queue mode', () => {
    assert.deepEqual(parseRegistration({ ...base, bindingMode: 'MT', objects: {} }).binding, { raw: 'MT', transports: ['M', 'T'], queueMode: false });
    assert.deepEqual(parseRegistration({ ...base, bindingMode: 'UQS', objects: {} }).binding, { raw: 'UQS', transports: ['U', 'S'], queueMode: true });
    assert.deepEqual(parseRegistration({ ...base, bindingMode: 'U', queueMode: true, objects: {} }).binding, { raw: 'U', transports: ['U'], queueMode: true });
    registrationError({ ...base, bindingMode: 'UX', objects: {} }, 'bindingMode', /unknown binding letter "X"/);
    registrationError({ ...base, bindingMode: 'QU', objects: {} }, 'bindingMode', /"Q" must follow a transport letter/);
    registrationError({ ...base, bindingMode: 'UU', objects: {} }, 'bindingMode', /"U" repeated/);
    registrationError({ ...base, bindingMode: 'UQQ', objects: {} }, 'bindingMode', /"Q" repeated/);
    registrationError({ ...base, bindingMode: '', objects: {} }, 'bindingMode', /empty binding mode/);
    registrationError({ ...base, bindingMode: 1, objects: {} }, 'bindingMode', /expected a string/);
    registrationError({ ...base, queueMode: 'yes', objects: {} }, 'queueMode', /expected a boolean/);
  });

  it('needs an object list, and never /0, /21 or /23 in it', () => {
    registrationError({ ...base }, 'objects', /missing/);
    registrationError({ ...base, objects: [] }, 'objects', /expected a JSON object/);
    registrationError({ ...base, objects: { '3': 'Acme' } }, 'objects.3', /expected a JSON object/);
    registrationError({ ...base, objects: { '0': { '0': {} } } }, 'objects.0', /\/0 Security must not be listed/);
    registrationError({ ...base, objectLinks: '</1/0>,</21/0>' }, 'objects.21', /\/21 OSCORE must not be listed/);
  });

  it('refuses messages that are not JSON objects', () => {
    registrationError('{not json', 'message', /not UTF-8 JSON/);
    registrationError(Uint8Array.of(0x7b, 0xff, 0x7d), 'message', /not UTF-8 JSON/);
    registrationError('[1,2]', 'message', /expected a JSON object/);
    registrationError(null, 'message', /expected a JSON object/);
  });
});

describe('deviceInfoFromObject3', () => {
  it('reads every /3/0 field it knows, and only those reported', () => {
    const registration = parseRegistration({
      ...base,
      objects: {
        '3': {
          '0': { '0': 'Acme', '1': 'M-1', '2': 'SN42', '3': '2.1.0', '6': [1, 5], '9': 77, '10': 128, '11': [0], '13': 1_700_000_000, '16': 'UQ', '17': 'sensor hub', '18': 'rev B', '19': '5.0', '20': 0, '21': 512 },
        },
      },
    });
    assert.deepEqual(deviceInfoFromObject3(registration), {
      manufacturer: 'Acme',
      model: 'M-1',
      serialNumber: 'SN42',
      firmwareVersion: '2.1.0',
      powerSources: [1, 5],
      batteryLevel: 77,
      memoryFreeKb: 128,
      errorCodes: [0],
      currentTime: 1_700_000_000,
      supportedBindings: 'UQ',
      deviceType: 'sensor hub',
      hardwareVersion: 'rev B',
      softwareVersion: '5.0',
      batteryStatus: 0,
      memoryTotalKb: 512,
    });
  });

  it('is undefined without a /3/0 instance', () => {
    assert.equal(deviceInfoFromObject3(parseRegistration({ ...base, objectLinks: '</1/0>' })), undefined);
    assert.deepEqual(deviceInfoFromObject3(parseRegistration({ ...base, objectLinks: '</3/0>' })), {});
  });
});

describe('sensorsFromRegistration', () => {
  it('turns IPSO objects into attached sensors and actuators with units and values', () => {
    const registration = parseRegistration({
      ...base,
      objectLinks: '</3/0>,</3303/0>,</3303/1>,</3304/0>,</3315/0>,</3323/0>,</3336/0>,</3347/0>,</3311/0>',
      objects: {
        '3303': { '0': { '5700': 21.5, '5701': 'Cel', '5750': 'Outdoor' } },
        '3304': { '0': { '5700': 40 } },
        '3315': { '0': { '5700': 101325, '5701': 'Pa' } },
        '3323': { '0': { '5700': '2.5', '5701': 'bar' } },
        '3336': { '0': { '5514': '-43.5723', '5515': '153.21760' } },
        '3347': { '0': { '5500': true, '5501': 3 } },
        '3311': { '0': { '5850': false, '5851': 40, '5701': 'lm' } },
      },
    });
    const readings = sensorsFromRegistration(registration).map((r) => [r.objectId, r.instanceId, r.kind, r.measurementType, r.resourceId, r.unit, r.value]);
    assert.deepEqual(readings, [
      [3303, 0, 'sensor', 'temperature', 5700, 'Cel', 21.5],
      [3303, 1, 'sensor', 'temperature', 5700, null, null],
      [3304, 0, 'sensor', 'humidity', 5700, null, 40],
      [3311, 0, 'actuator', 'light_on', 5850, null, false],
      [3311, 0, 'actuator', 'dimmer', 5851, '/100', 40],
      [3315, 0, 'sensor', 'barometric_pressure', 5700, 'Pa', 101325],
      [3323, 0, 'sensor', 'pressure', 5700, 'bar', 2.5],
      [3336, 0, 'sensor', 'latitude', 5514, 'deg', -43.5723],
      [3336, 0, 'sensor', 'longitude', 5515, 'deg', 153.2176],
      [3347, 0, 'sensor', 'button_pressed', 5500, null, true],
      [3347, 0, 'sensor', 'button_press_count', 5501, null, 3],
    ]);
    const outdoor = sensorsFromRegistration(registration)[0];
    assert.equal(outdoor?.objectName, 'Temperature');
    assert.equal(outdoor?.applicationType, 'Outdoor');
    assert.ok(!('applicationType' in (sensorsFromRegistration(registration)[1] ?? {})));
  });

  it('keeps a non-numeric location string as text', () => {
    const registration = parseRegistration({ ...base, objects: { '3336': { '0': { '5514': 'unknown' } } } });
    assert.equal(sensorsFromRegistration(registration)[0]?.value, 'unknown');
  });
});
