/** Contract suite for AuditStore, run against every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEntry } from '../../src/core/audit.ts';
import type { AuditStore } from '../../src/core/ports/audit-store.ts';

const entry = (id: string, at: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at,
  principal: 'mcp:claude',
  via: 'mcp',
  tool: 'sensor_configure',
  arguments: { sensor_id: 's1', config: { power_mode: 'low_power' } },
  decision: 'confirm',
  outcome: 'succeeded',
  deviceIds: ['s1'],
  ...extra,
});

export function describeAuditStore(name: string, open: () => Promise<AuditStore>): void {
  describe(`AuditStore contract: ${name}`, () => {
    it('appends entries and lists them newest first, round-tripping every field', async () => {
      const store = await open();
      try {
        await store.append(entry('a1', 1000));
        const denied = { via: 'llm', role: 'operator', client: 'claude-desktop/s1', tool: 'mcu_reboot', decision: 'deny', outcome: 'denied', error: { code: -32021, message: 'denied by policy' }, deviceIds: ['m1', 'm2'] } as const;
        await store.append(entry('a2', 2000, denied));
        const all = await store.list();
        assert.deepEqual(all.map((e) => e.id), ['a2', 'a1']);
        assert.deepEqual(all[0], entry('a2', 2000, denied));
        assert.deepEqual(all[1], entry('a1', 1000));
      } finally {
        await store.close();
      }
    });

    it('filters by time, tool, principal and outcome, and limits', async () => {
      const store = await open();
      try {
        for (let i = 0; i < 5; i++) await store.append(entry(`f${i}`, 10_000 + i, { tool: i % 2 ? 'data_query' : 'sensor_read', outcome: i === 4 ? 'failed' : 'succeeded' }));
        assert.deepEqual((await store.list({ since: 10_003 })).map((e) => e.id), ['f4', 'f3']);
        assert.deepEqual((await store.list({ tool: 'data_query', since: 10_000 })).map((e) => e.id), ['f3', 'f1']);
        assert.deepEqual((await store.list({ outcome: 'failed', since: 10_000 })).map((e) => e.id), ['f4']);
        assert.equal((await store.list({ principal: 'nobody' })).length, 0);
        assert.equal((await store.list({ since: 10_000, limit: 2 })).length, 2);
      } finally {
        await store.close();
      }
    });

    it('names the method a call ran, and finds a tool call and a JSON-RPC call of one method by either spelling', async () => {
      const store = await open();
      try {
        await store.append(entry('m1', 20_000, { tool: 'configure_device', method: 'sensor.configure' }));
        await store.append(entry('m2', 20_001, { via: 'http', tool: 'sensor_configure', method: 'sensor.configure' }));
        // Written before the method was recorded: found by its tool name.
        await store.append(entry('m3', 20_002, { via: 'http', tool: 'sensor_configure' }));
        await store.append(entry('m4', 20_003, { tool: 'configure_device', method: 'mcu.set_config' }));
        assert.equal((await store.list({ since: 20_000 })).find((e) => e.id === 'm1')?.method, 'sensor.configure');
        assert.equal((await store.list({ since: 20_000 })).find((e) => e.id === 'm3')?.method, undefined);
        const ids = async (filter: { tool?: string; method?: string }): Promise<string[]> => (await store.list({ since: 20_000, ...filter })).map((e) => e.id);
        assert.deepEqual(await ids({ method: 'sensor.configure' }), ['m3', 'm2', 'm1']);
        assert.deepEqual(await ids({ tool: 'sensor.configure' }), ['m3', 'm2', 'm1']);
        assert.deepEqual(await ids({ tool: 'sensor_configure' }), ['m3', 'm2', 'm1']);
        assert.deepEqual(await ids({ tool: 'configure_device' }), ['m4', 'm1']);
        assert.deepEqual(await ids({ method: 'mcu.set_config' }), ['m4']);
      } finally {
        await store.close();
      }
    });
  });
}
