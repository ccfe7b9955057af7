import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load-config.ts';
import { DEFAULTS } from '../src/config/options.ts';
import { OPTIONS } from '../src/plugins.ts';

describe('configuration', () => {
  it('applies defaults < file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ httpPort: 1111, mqttPort: 2222, dataDir: '/from/file' }));
    const { config } = loadConfig(['--config', file, '--http-port', '3333'], { LLMIOT_HTTP_PORT: '4444', LLMIOT_MQTT_PORT: '5555' }, OPTIONS);
    assert.equal(config.httpPort, 3333);
    assert.equal(config.mqttPort, 5555);
    assert.equal(config.dataDir, '/from/file');
    assert.equal(config.commandTimeout, DEFAULTS.commandTimeout);
  });

  it('rejects bad values and unknown keys with a message naming them', () => {
    assert.throws(() => loadConfig(['--http-port', 'eighty'], {}, OPTIONS), (e: unknown) => e instanceof ConfigError && /--http-port must be a non-negative integer/.test(e.message));
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ httpport: 1 }));
    assert.throws(() => loadConfig(['--config', file], {}, OPTIONS), /unknown keys httpport/);
    assert.throws(() => loadConfig(['--config', join(dir, 'missing.json')], {}, OPTIONS), /config file not found/);
  });

  it('reads --auth-api-audience from the file, LLMIOT_AUTH_API_AUDIENCE and the flag, unset by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ authApiAudience: 'https://hub.example.com/from-file' }));
    assert.equal(loadConfig([], {}, OPTIONS).config.authApiAudience, undefined);
    assert.equal(loadConfig(['--config', file], {}, OPTIONS).config.authApiAudience, 'https://hub.example.com/from-file');
    assert.equal(loadConfig(['--config', file], { LLMIOT_AUTH_API_AUDIENCE: 'https://hub.example.com/rpc' }, OPTIONS).config.authApiAudience, 'https://hub.example.com/rpc');
    assert.equal(loadConfig(['--auth-api-audience', 'a,b'], { LLMIOT_AUTH_API_AUDIENCE: 'c' }, OPTIONS).config.authApiAudience, 'a,b');
  });

  it('is documented in the README, one row per option', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const option of OPTIONS) assert.ok(readme.includes(`| \`--${option.flag}\` | \`${option.env}\` |`), `README lacks --${option.flag}`);
  });
});
