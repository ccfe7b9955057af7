/** Which tools advertise an outputSchema: only those the policy always allows (a held call answers a plan, not the result). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY, parsePolicy } from '../../src/tools/actuation-policy.ts';
import type { ToolDefinition } from '../../src/tools/tool-definition.ts';
import { advertisedOutputSchema, alwaysAllowed } from '../../src/mcp/output-schema.ts';

function tool(name: string, method: string, kind: ToolDefinition['kind']): ToolDefinition {
  return {
    name,
    method,
    title: name,
    description: name,
    kind,
    role: kind === 'read' ? 'viewer' : kind === 'write' ? 'operator' : 'admin',
    inputSchema: { type: 'object', properties: {} },
    outputSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
    annotations: { title: name, readOnlyHint: kind === 'read', destructiveHint: kind === 'destructive', idempotentHint: kind === 'read', openWorldHint: false },
    route: (args) => ({ method, kind, params: args }),
  };
}

const read = tool('device_get', 'device.get', 'read');
const write = tool('mcu_set_config', 'mcu.set_config', 'write');
const batch = tool('batch_execute', 'batch.execute', 'write');

describe('advertised output schemas', () => {
  it('default policy: reads advertise theirs, writes and destructive tools do not', () => {
    assert.deepEqual(advertisedOutputSchema(read, DEFAULT_POLICY), read.outputSchema);
    assert.equal(advertisedOutputSchema(write, DEFAULT_POLICY), undefined);
    assert.equal(alwaysAllowed(tool('mcu_reboot', 'mcu.reboot', 'destructive'), DEFAULT_POLICY), false);
  });

  it('a rule that may hold a read for confirmation (for some devices) takes its schema away', () => {
    const policy = parsePolicy({ rules: [{ kind: 'read', zones: ['Vault'], action: 'confirm' }] });
    assert.equal(alwaysAllowed(read, policy), false);
    const other = parsePolicy({ rules: [{ tools: ['sensor_read'], action: 'deny' }] });
    assert.equal(alwaysAllowed(read, other), true, 'a rule for another tool does not matter');
  });

  it('writes allowed outright advertise theirs; batch.execute only if every kind it may run is allowed', () => {
    const writesAllowed = parsePolicy({ defaults: { write: 'allow' } });
    assert.equal(alwaysAllowed(write, writesAllowed), true);
    assert.equal(alwaysAllowed(batch, writesAllowed), false, 'a batch may run a destructive command');
    assert.equal(alwaysAllowed(batch, parsePolicy({ defaults: { write: 'allow', destructive: 'allow' } })), true);
  });
});
