/** FirmwareUpdateFlow in-process: the steps it asks for, and how it judges what the device reports. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/core/device.ts';
import type { RpcErrorObject } from '../../../src/core/errors.ts';
import type { TypedEntry } from '../../../src/protocols/lwm2m/adapter/content-values.ts';
import { FirmwareUpdateFlow } from '../../../src/protocols/lwm2m/adapter/firmware-update-flow.ts';
import type { Answer } from '../../../src/protocols/lwm2m/adapter/operation-answer.ts';

const entry = (path: string, value: number): TypedEntry => {
  const [objectId, instanceId, resourceId] = path.slice(1).split('/').map(Number) as [number, number, number];
  return { path, objectId, instanceId, resourceId, value };
};
const ok = (content: TypedEntry[] = []): Answer => ({ ok: true, code: '2.05', codeMsg: 'content', content, links: [], message: { reqID: 1, msgType: 'read', content: [], links: [] } });

/** A flow wired to a recording port; answers are given by hand. */
function harness(alreadyObserved: string[] = []) {
  const sent: { step: string; answer: (a: Answer) => void }[] = [];
  const released: string[][] = [];
  let outcome: { result: JsonObject } | { error: RpcErrorObject } | undefined;
  const flow = new FirmwareUpdateFlow(
    { commandId: 'cmd-1', packageUri: 'https://fw.example/p.bin', alreadyObserved: new Set(alreadyObserved) },
    {
      request: (msgType, params, onAnswer) => sent.push({ step: `${msgType} ${String(params['path'])}`, answer: onAnswer }),
      release: (paths) => released.push([...paths]),
      finish: (o) => (outcome = o),
    },
  );
  const probe = (state: number, result: number): void => {
    flow.start();
    sent[0]?.answer(ok([entry('/5/0/3', state)]));
    sent[1]?.answer(ok([entry('/5/0/5', result)]));
  };
  return { flow, sent, released, probe, outcome: () => outcome, steps: () => sent.map((s) => s.step) };
}

describe('FirmwareUpdateFlow', () => {
  it('walks Idle → Downloading → Downloaded → Updating → Idle/1 and releases only its own observations', () => {
    const h = harness(['/5/0/5']);
    h.probe(0, 0);
    assert.deepEqual(h.steps(), ['observe /5/0/3', 'observe /5/0/5', 'write /5/0/1']);
    h.flow.onValues([entry('/5/0/3', 1)]);
    h.flow.onValues([entry('/5/0/3', 2)]);
    assert.equal(h.steps().at(-1), 'execute /5/0/2');
    h.flow.onValues([entry('/5/0/3', 3)]);
    assert.equal(h.outcome(), undefined);
    h.flow.onValues([entry('/5/0/3', 0), entry('/5/0/5', 1)]);
    assert.deepEqual(h.outcome(), { result: { accepted: true, package_uri: 'https://fw.example/p.bin', state: 0, update_result: 1, update_result_name: 'Success' } });
    assert.deepEqual(h.released, [['/5/0/3']]);
    assert.equal(h.flow.done, true);
  });

  it('waits through a deferral (result 11) and finishes when the device installs later', () => {
    const h = harness();
    h.probe(0, 0);
    h.flow.onValues([entry('/5/0/3', 2)]);
    h.flow.onValues([entry('/5/0/5', 11)]);
    assert.equal(h.outcome(), undefined);
    h.flow.onValues([entry('/5/0/3', 3)]);
    h.flow.onValues([entry('/5/0/5', 1)]);
    assert.equal((h.outcome() as { result: JsonObject }).result['update_result'], 1);
  });

  it('fails on a change the state machine does not allow, e.g. Downloading straight to Updating', () => {
    const h = harness();
    h.probe(0, 0);
    h.flow.onValues([entry('/5/0/3', 3)]);
    const outcome = h.outcome() as { error: RpcErrorObject };
    assert.match(outcome.error.message, /the device reported State 3 while the hub expected Downloading/);
    assert.equal(h.steps().includes('execute /5/0/2'), false);
  });

  it('fails when the write is refused, and when the probe is refused', () => {
    const refused: Answer = { ok: false, error: { code: -32000, message: '4.05 method_not_allowed: /5/0/1' } };
    const h = harness();
    h.probe(0, 0);
    h.sent[2]?.answer(refused);
    assert.deepEqual(h.outcome(), { error: refused.error });
    const probe = harness();
    probe.flow.start();
    probe.sent[0]?.answer({ ok: false, error: { code: -32000, message: '4.04 not_found: /5/0/3' } });
    assert.match((probe.outcome() as { error: RpcErrorObject }).error.message, /4.04/);
    assert.deepEqual(probe.released, [['/5/0/3', '/5/0/5']]);
  });

  it('abort releases the observations once and ignores later values', () => {
    const h = harness();
    h.probe(0, 0);
    h.flow.abort();
    h.flow.abort();
    h.flow.onValues([entry('/5/0/3', 2)]);
    assert.deepEqual(h.released, [['/5/0/3', '/5/0/5']]);
    assert.equal(h.outcome(), undefined);
    assert.equal(h.steps().includes('execute /5/0/2'), false);
  });
});
