/** SchemaValidator: shipped schemas and examples, the seed payloads, issue paths, and the semver rules. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { HubError } from '../../src/core/errors.ts';
import { SCHEMA_KINDS, SchemaValidator, type SchemaKind } from '../../src/schema/schema-validator.ts';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);
const EXAMPLES_DIR = new URL('examples/', SCHEMAS_DIR);

/** Every example device and whether it is an MCU or a sensor; a file for a device not listed here fails the suite. */
const EXAMPLE_DEVICES: Record<string, 'mcu' | 'sensor'> = {
  'esp32-s3': 'mcu',
  'rpi-pico': 'mcu',
  'arduino-nano-33-iot': 'mcu',
  bmp580: 'sensor',
  as5600: 'sensor',
  'soil-moisture': 'sensor',
};

// The seed's Quick Start payloads (000_f1c866683677bcfb.txt), `params.static_schema` exactly as written.
const SEED_DEVICE_REGISTER = {
  manufacturer: 'Espressif',
  model: 'ESP32-S3',
  memory: {
    flash_total: 8388608,
    ram_total: 524288,
  },
  communication_protocols: {
    supported: ['I2C', 'SPI', 'WiFi', 'BLE'],
  },
};
const SEED_SENSOR_DISCOVER = {
  manufacturer: 'Bosch',
  model: 'BMP580',
  sensor_category: 'environmental',
  communication: {
    primary_protocol: 'I2C',
    i2c: { address: '0x47' },
  },
  measurements: [
    {
      measurement_type: 'temperature',
      unit: 'celsius',
      range_min: -40,
      range_max: 85,
      accuracy: 0.5,
    },
  ],
};

const validator = new SchemaValidator();

function readJson(url: URL): Record<string, unknown> {
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

/** Run `fn`, which must throw a HubError, and return that error. */
function hubErrorOf(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof HubError, `expected a HubError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a HubError, nothing was thrown');
}

/** The `data.issues` of an INVALID_PARAMS error. */
function issuesOf(error: HubError): { path: string; message: string }[] {
  assert.equal(error.code, 'INVALID_PARAMS');
  assert.equal(error.rpcCode, -32602);
  const data = error.data as { issues: { path: string; message: string }[] };
  return data.issues;
}

function withChanges(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  return { ...structuredClone(base), ...changes };
}

/** Dotted paths of every field a schema defines: `memory.ram_total`, `pins[].name`, `configuration_options.<name>.default`. */
function fieldPaths(node: unknown, root: Record<string, unknown>, prefix = ''): string[] {
  const schema = resolveRef(node, root);
  const paths: string[] = [];
  const properties = schema['properties'];
  if (isObject(properties)) {
    for (const [key, child] of Object.entries(properties)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      paths.push(path, ...fieldPaths(child, root, path));
    }
  }
  if (schema['items'] !== undefined) paths.push(...fieldPaths(schema['items'], root, `${prefix}[]`));
  if (isObject(schema['additionalProperties'])) paths.push(...fieldPaths(schema['additionalProperties'], root, `${prefix}.<name>`));
  return paths;
}

function resolveRef(node: unknown, root: Record<string, unknown>): Record<string, unknown> {
  assert.ok(isObject(node));
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  const defs = root['$defs'];
  assert.ok(isObject(defs) && ref.startsWith('#/$defs/'));
  return resolveRef(defs[ref.slice('#/$defs/'.length)], root);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

describe('shipped schemas', () => {
  it('has one 1.0.0 schema per kind, with $id and x-llmiot-version in step', () => {
    for (const kind of SCHEMA_KINDS) {
      assert.deepEqual(validator.knownVersions(kind), ['1.0.0']);
      assert.equal(validator.newestVersion(kind), '1.0.0');
      const schema = readJson(new URL(`${kind}/v1.json`, SCHEMAS_DIR));
      assert.equal(schema['$id'], `https://llm-iot.dev/schemas/${kind}/1.0.0`);
      assert.equal(schema['x-llmiot-version'], '1.0.0');
      assert.equal(schema['x-llmiot-kind'], kind);
      assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
      assert.deepEqual(validator.getSchema(kind), schema);
    }
  });

  it('versions the four kinds together, so one schema_version covers a device static and dynamic documents', () => {
    for (const kind of SCHEMA_KINDS) assert.deepEqual(validator.knownVersions(kind), validator.knownVersions('mcu-static'));
  });

  it('documents every field of every kind in docs/schemas.md', () => {
    const docs = readFileSync(new URL('../../docs/schemas.md', import.meta.url), 'utf8');
    for (const kind of SCHEMA_KINDS) {
      const schema = validator.getSchema(kind);
      const missing = fieldPaths(schema, schema).filter((path) => !docs.includes(`| \`${path}\` |`));
      assert.deepEqual(missing, [], `${kind} fields missing from the docs/schemas.md tables`);
      assert.ok(docs.includes(`\`${String(schema['$id'])}\``), `docs/schemas.md names ${String(schema['$id'])}`);
    }
  });

  it('requires only manufacturer and model of static documents, and nothing of dynamic ones', () => {
    assert.deepEqual(validator.getSchema('mcu-static')['required'], ['manufacturer', 'model']);
    assert.deepEqual(validator.getSchema('sensor-static')['required'], ['manufacturer', 'model']);
    assert.equal(validator.getSchema('mcu-dynamic')['required'], undefined);
    assert.equal(validator.validate('sensor-dynamic', {}).version, '1.0.0');
  });
});

describe('example documents', () => {
  const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();

  it('has a static and a dynamic document for each example device', () => {
    const expected = Object.keys(EXAMPLE_DEVICES).flatMap((device) => [`${device}.dynamic.json`, `${device}.static.json`]);
    assert.deepEqual(files, expected.sort());
  });

  for (const file of files) {
    it(`${file} is valid, with no field the schema does not describe`, () => {
      const [device, part] = file.split('.');
      const type = EXAMPLE_DEVICES[device ?? ''];
      assert.ok(type !== undefined && (part === 'static' || part === 'dynamic'), `unexpected example file ${file}`);
      const kind: SchemaKind = `${type}-${part}`;
      const document = readJson(new URL(file, EXAMPLES_DIR));
      const result = validator.validate(kind, document, '1.0.0', '/doc');
      assert.deepEqual(result.unknownFields, []);
      assert.equal(result.document, document);
    });
  }
});

describe('seed payloads', () => {
  it('accepts the device.register static_schema as written', () => {
    const result = validator.validate('mcu-static', SEED_DEVICE_REGISTER, undefined, '/static_schema');
    assert.deepEqual(result, { version: '1.0.0', validatedAgainst: '1.0.0', document: SEED_DEVICE_REGISTER, unknownFields: [] });
  });

  it('accepts the sensor.discover static_schema as written', () => {
    const result = validator.validate('sensor-static', SEED_SENSOR_DISCOVER, undefined, '/static_schema');
    assert.deepEqual(result, { version: '1.0.0', validatedAgainst: '1.0.0', document: SEED_SENSOR_DISCOVER, unknownFields: [] });
  });

  it('accepts the readings of the seed sensor.read result as sensor dynamic state', () => {
    const readings = [{ measurement_type: 'temperature', value: 23.5, unit: 'celsius', quality: 'good' }];
    assert.deepEqual(validator.validate('sensor-dynamic', { timestamp: '2025-09-30T10:35:00Z', readings }).unknownFields, []);
  });
});

describe('invalid documents', () => {
  it('rejects a negative memory size with its JSON pointer and the first issue in the message', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, { memory: { flash_total: 8388608, ram_total: -1 } });
    const error = hubErrorOf(() => validator.validate('mcu-static', document, undefined, '/static_schema'));
    assert.equal(error.message, 'static_schema is invalid: /static_schema/memory/ram_total must be >= 0');
    assert.deepEqual(issuesOf(error), [{ path: '/static_schema/memory/ram_total', message: 'must be >= 0' }]);
  });

  it('rejects wrong types', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, {
      manufacturer: 42,
      memory: { flash_total: '8MB', ram_total: 524288.5 },
      communication_protocols: { supported: 'WiFi' },
    });
    const issues = issuesOf(hubErrorOf(() => validator.validate('mcu-static', document, undefined, '/static_schema')));
    assert.deepEqual(issues, [
      { path: '/static_schema/manufacturer', message: 'must be string' },
      { path: '/static_schema/memory/flash_total', message: 'must be integer' },
      { path: '/static_schema/memory/ram_total', message: 'must be integer' },
      { path: '/static_schema/communication_protocols/supported', message: 'must be array' },
    ]);
  });

  it('rejects a missing model at the path of the missing field', () => {
    const { model: _model, ...document } = SEED_SENSOR_DISCOVER;
    const error = hubErrorOf(() => validator.validate('sensor-static', document, undefined, '/static_schema'));
    assert.equal(error.message, 'static_schema is invalid: /static_schema/model is required');
    assert.deepEqual(issuesOf(error), [{ path: '/static_schema/model', message: 'is required' }]);
  });

  for (const address of ['0x80', '47', '0x', '0x0047', 128, -1, 7.5]) {
    it(`rejects I2C address ${JSON.stringify(address)}`, () => {
      const document = withChanges(SEED_SENSOR_DISCOVER, { communication: { primary_protocol: 'I2C', i2c: { address } } });
      const issues = issuesOf(hubErrorOf(() => validator.validate('sensor-static', document, undefined, '/static_schema')));
      assert.equal(issues.length, 1);
      assert.equal(issues[0]?.path, '/static_schema/communication/i2c/address');
    });
  }

  for (const address of ['0x47', '0X7f', '0x8', 0, 71, 127]) {
    it(`accepts I2C address ${JSON.stringify(address)}`, () => {
      const document = withChanges(SEED_SENSOR_DISCOVER, { communication: { primary_protocol: 'I2C', i2c: { address, alt_addresses: [0x46] } } });
      assert.deepEqual(validator.validate('sensor-static', document).unknownFields, []);
    });
  }

  it('explains a malformed I2C address in words rather than as a regular expression', () => {
    const document = withChanges(SEED_SENSOR_DISCOVER, { communication: { primary_protocol: 'I2C', i2c: { address: '0x80' } } });
    const [issue] = issuesOf(hubErrorOf(() => validator.validate('sensor-static', document)));
    assert.deepEqual(issue, {
      path: '/communication/i2c/address',
      message: 'must be a 7-bit I2C address: a "0x" hex string such as "0x47", or an integer 0-127',
    });
  });

  it('checks an I2C address in the connected devices of an MCU', () => {
    const document = { connected_devices: ['esp32-a1/analog:a0', { bus: 'spi', address: 'CS5' }, { bus: 'i2c', address: 300 }] };
    const issues = issuesOf(hubErrorOf(() => validator.validate('mcu-dynamic', document, undefined, '/dynamic_state')));
    assert.deepEqual(issues, [{ path: '/dynamic_state/connected_devices/2/address', message: 'must be <= 127' }]);
  });

  it('rejects an unknown enum value and lists the allowed ones', () => {
    const document = withChanges(SEED_SENSOR_DISCOVER, { communication: { primary_protocol: 'i2c', i2c: { address: '0x47' } } });
    const [issue] = issuesOf(hubErrorOf(() => validator.validate('sensor-static', document, undefined, '/static_schema')));
    assert.equal(issue?.path, '/static_schema/communication/primary_protocol');
    assert.match(issue?.message ?? '', /^must be one of "I2C", "I3C", "SPI", .*"analog"/);
  });

  it('rejects unknown statuses and qualities in dynamic state', () => {
    const mcu = issuesOf(hubErrorOf(() => validator.validate('mcu-dynamic', { status: 'happy', uptime_s: -5 })));
    assert.deepEqual(
      mcu.map((issue) => issue.path),
      ['/status', '/uptime_s'],
    );
    const sensor = { readings: [{ measurement_type: 'pressure', value: 1013.2, quality: 'excellent' }], calibration: { status: 'done' } };
    const issues = issuesOf(hubErrorOf(() => validator.validate('sensor-dynamic', sensor, undefined, '/dynamic_state')));
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['/dynamic_state/readings/0/quality', '/dynamic_state/calibration/status'],
    );
  });

  it('reports every issue, not only the first', () => {
    const document = {
      manufacturer: '',
      memory: { flash_total: -1, ram_total: -2 },
      processor: { cores: 0 },
      pins: [{ name: 'GPIO1', capabilities: ['digital', 'teleport'] }],
    };
    const issues = issuesOf(hubErrorOf(() => validator.validate('mcu-static', document)));
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['/model', '/manufacturer', '/processor/cores', '/memory/flash_total', '/memory/ram_total', '/pins/0/capabilities/1'],
    );
  });

  it('rejects a field a nested object does not define, at the version declared', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, { memory: { flash_total: 8388608, ram_totl: 524288 } });
    const error = hubErrorOf(() => validator.validate('mcu-static', document, '1.0.0', '/static_schema'));
    assert.deepEqual(issuesOf(error), [{ path: '/static_schema/memory/ram_totl', message: 'is not a field of mcu-static 1.0.0' }]);
  });

  it('names the kind when no path prefix is given', () => {
    const error = hubErrorOf(() => validator.validate('mcu-static', withChanges(SEED_DEVICE_REGISTER, { memory: { ram_total: -1 } })));
    assert.equal(error.message, 'mcu-static document is invalid: /memory/ram_total must be >= 0');
  });

  for (const document of [null, [], 'ESP32-S3', 42]) {
    it(`rejects ${JSON.stringify(document)} as a document`, () => {
      const error = hubErrorOf(() => validator.validate('mcu-static', document, undefined, '/static_schema'));
      assert.deepEqual(issuesOf(error), [{ path: '/static_schema', message: 'must be object' }]);
      assert.equal(error.message, 'static_schema is invalid: /static_schema must be object');
    });
  }
});

describe('versions', () => {
  it('validates against the newest known version when none is declared', () => {
    const result = validator.validate('mcu-static', SEED_DEVICE_REGISTER);
    assert.equal(result.version, validator.knownVersions('mcu-static').at(-1));
    assert.equal(result.validatedAgainst, '1.0.0');
  });

  it('accepts top-level vendor extensions at a known version and lists them', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, { acme_board_rev: 'C', 'x/y~z': true });
    const result = validator.validate('mcu-static', document, '1.0.0', '/static_schema');
    assert.deepEqual(result.unknownFields, ['/static_schema/acme_board_rev', '/static_schema/x~1y~0z']);
    assert.equal(result.document, document);
  });

  it('accepts a newer minor: validates the known fields, keeps and lists the unknown ones', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, {
      memory: { flash_total: 8388608, ram_total: 524288, nvs_total: 24576 },
      processor: { cores: 2, clock_mhz: 240, cache: { icache_kb: 16 } },
      secure_boot: { enabled: true },
    });
    const copy = structuredClone(document);
    const result = validator.validate('mcu-static', document, '1.3.0', '/static_schema');
    assert.equal(result.version, '1.3.0');
    assert.equal(result.validatedAgainst, '1.0.0');
    assert.deepEqual(result.unknownFields, ['/static_schema/secure_boot', '/static_schema/processor/cache', '/static_schema/memory/nvs_total']);
    assert.deepEqual(result.document, copy);
  });

  it('accepts enum values a newer minor added, and lists them', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, { pins: [{ name: 'GPIO1', capabilities: ['digital', 'lcd_data'] }] });
    const result = validator.validate('mcu-static', document, '1.1.0', '/static_schema');
    assert.deepEqual(result.unknownFields, ['/static_schema/pins/0/capabilities/1']);
    const error = hubErrorOf(() => validator.validate('mcu-static', document, '1.0.0', '/static_schema'));
    assert.equal(issuesOf(error)[0]?.path, '/static_schema/pins/0/capabilities/1');
  });

  it('still rejects known fields that are invalid under a newer minor', () => {
    const document = withChanges(SEED_DEVICE_REGISTER, { memory: { ram_total: -1, nvs_total: 1 } });
    const error = hubErrorOf(() => validator.validate('mcu-static', document, '1.1.0', '/static_schema'));
    assert.deepEqual(issuesOf(error), [{ path: '/static_schema/memory/ram_total', message: 'must be >= 0' }]);
  });

  it('treats a newer patch like a newer minor and an older pre-release like a known version', () => {
    const document = withChanges(SEED_SENSOR_DISCOVER, { communication: { primary_protocol: 'I2C', i2c: { address: '0x47', bus: 1 } } });
    assert.deepEqual(validator.validate('sensor-static', document, '1.0.1').unknownFields, ['/communication/i2c/bus']);
    assert.deepEqual(validator.validate('sensor-static', document, '1.1.0-beta.2').unknownFields, ['/communication/i2c/bus']);
    const error = hubErrorOf(() => validator.validate('sensor-static', document, '1.0.0-rc.1'));
    assert.deepEqual(issuesOf(error), [{ path: '/communication/i2c/bus', message: 'is not a field of sensor-static 1.0.0' }]);
  });

  for (const declared of ['2.0.0', '0.9.0', '10.0.0-alpha']) {
    it(`rejects unknown major ${declared} with SCHEMA_VERSION_UNSUPPORTED`, () => {
      const error = hubErrorOf(() => validator.validate('mcu-static', SEED_DEVICE_REGISTER, declared, '/static_schema'));
      assert.equal(error.code, 'SCHEMA_VERSION_UNSUPPORTED');
      assert.equal(error.rpcCode, -32005);
      assert.equal(error.message, `mcu-static schema version ${declared} is not supported: this hub knows 1.x (1.0.0)`);
      assert.deepEqual(error.data, { kind: 'mcu-static', declared, supported: ['1.0.0'] });
    });
  }

  for (const declared of ['1.0', '1', 'v1.0.0', '01.0.0', '1.0.0.0', '', 'latest', ' 1.0.0']) {
    it(`rejects malformed version ${JSON.stringify(declared)} with INVALID_PARAMS`, () => {
      const error = hubErrorOf(() => validator.validate('sensor-static', SEED_SENSOR_DISCOVER, declared));
      assert.deepEqual(issuesOf(error), [{ path: '/schema_version', message: 'must be a semantic version MAJOR.MINOR.PATCH, e.g. "1.0.0"' }]);
      assert.equal(error.message, `schema_version is invalid: ${JSON.stringify(declared)} is not a semantic version`);
    });
  }

  it('accepts build metadata in a declared version', () => {
    assert.equal(validator.validate('mcu-static', SEED_DEVICE_REGISTER, '1.0.0+esp-idf.5.3').version, '1.0.0+esp-idf.5.3');
  });
});

describe('a hub that knows two majors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmiot-schemas-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(SCHEMAS_DIR, dir, { recursive: true, filter: (source) => !source.includes('examples') });
  const v1 = readJson(new URL('mcu-static/v1.json', SCHEMAS_DIR));
  const v2 = {
    ...v1,
    $id: 'https://llm-iot.dev/schemas/mcu-static/2.1.0',
    'x-llmiot-version': '2.1.0',
    required: ['manufacturer', 'model', 'memory'],
  };
  writeFileSync(join(dir, 'mcu-static', 'v2.json'), JSON.stringify(v2));
  const two = new SchemaValidator({ schemasDir: pathToFileURL(`${dir}/`) });

  it('lists the newest version of each major and defaults to the newest', () => {
    assert.deepEqual(two.knownVersions('mcu-static'), ['1.0.0', '2.1.0']);
    assert.deepEqual(two.knownVersions('sensor-static'), ['1.0.0']);
    const error = hubErrorOf(() => two.validate('mcu-static', { manufacturer: 'Espressif', model: 'ESP32-S3' }));
    assert.deepEqual(issuesOf(error), [{ path: '/memory', message: 'is required' }]);
  });

  it('validates each declared major against its own schema', () => {
    const result = two.validate('mcu-static', { manufacturer: 'Espressif', model: 'ESP32-S3' }, '1.0.0');
    assert.equal(result.validatedAgainst, '1.0.0');
    assert.equal(two.validate('mcu-static', SEED_DEVICE_REGISTER, '2.0.3').validatedAgainst, '2.1.0');
  });

  it('names every known major when refusing another', () => {
    const error = hubErrorOf(() => two.validate('mcu-static', SEED_DEVICE_REGISTER, '3.0.0'));
    assert.equal(error.message, 'mcu-static schema version 3.0.0 is not supported: this hub knows 1.x (1.0.0), 2.x (2.1.0)');
    assert.deepEqual(error.data, { kind: 'mcu-static', declared: '3.0.0', supported: ['1.0.0', '2.1.0'] });
  });

  it('refuses to start with a schema file whose $id does not match its version', () => {
    writeFileSync(join(dir, 'mcu-static', 'v3.json'), JSON.stringify({ ...v2, 'x-llmiot-version': '3.0.0' }));
    assert.throws(() => new SchemaValidator({ schemasDir: pathToFileURL(`${dir}/`) }), /schema file invalid: .*v3\.json/);
    rmSync(join(dir, 'mcu-static', 'v3.json'));
  });
});
