/** Log format: pretty on a terminal, JSON lines elsewhere, unless asked (flag / LLMIOT_LOG_FORMAT). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLogFormat } from '../../src/log/logger.ts';

describe('resolveLogFormat', () => {
  it('defaults to pretty on a terminal and json on a pipe or file', () => {
    assert.equal(resolveLogFormat(undefined, { isTTY: true }, {}), 'pretty');
    assert.equal(resolveLogFormat(undefined, {}, {}), 'json');
  });

  it('takes the asked format over LLMIOT_LOG_FORMAT over the terminal test', () => {
    assert.equal(resolveLogFormat('json', { isTTY: true }, { LLMIOT_LOG_FORMAT: 'pretty' }), 'json');
    assert.equal(resolveLogFormat(undefined, { isTTY: true }, { LLMIOT_LOG_FORMAT: 'json' }), 'json');
    assert.equal(resolveLogFormat(undefined, {}, { LLMIOT_LOG_FORMAT: 'pretty' }), 'pretty');
  });

  it('names the source of an unknown format', () => {
    assert.throws(() => resolveLogFormat(undefined, {}, { LLMIOT_LOG_FORMAT: 'xml' }), /LLMIOT_LOG_FORMAT: unknown format "xml" \(use json or pretty\)/);
  });
});
