/** ResourceWatcher on a mocked clock: updates once telemetry is committed, at most one per resource per second, and none after unsubscribe. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { HubServices } from '../../src/app/services.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import type { TelemetryPoint } from '../../src/core/telemetry.ts';
import { ResourceWatcher } from '../../src/mcp/resource-watcher.ts';

describe('ResourceWatcher', () => {
  let events: EventBus;
  let updates: string[];
  let watcher: ResourceWatcher;
  /** Points of `deviceId` committed (a read now sees them). */
  const report = (deviceId: string): void => events.emit('telemetry.committed', { points: [{ deviceId } as TelemetryPoint] });

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    events = new EventBus();
    updates = [];
    const services = { events, registry: { get: () => undefined } } as unknown as HubServices;
    watcher = new ResourceWatcher({ services, updated: (uri) => updates.push(uri), listChanged: () => {} });
  });
  afterEach(() => {
    watcher.close();
    mock.timers.reset();
  });

  it('sends a burst as one update at once and one when the second ends, and nothing for other devices', () => {
    watcher.subscribe('llmiot://device/b', { kind: 'device' } as never, 'b');
    for (let i = 0; i < 5; i++) report('b');
    report('a');
    assert.deepEqual(updates, ['llmiot://device/b']);
    mock.timers.tick(999);
    assert.deepEqual(updates, ['llmiot://device/b']);
    mock.timers.tick(1);
    assert.deepEqual(updates, ['llmiot://device/b', 'llmiot://device/b']);
    mock.timers.tick(5_000);
    assert.equal(updates.length, 2, 'a quiet device sends nothing more');
  });

  it('waits for the commit: points only accepted (not yet readable) send nothing', () => {
    watcher.subscribe('llmiot://device/b', { kind: 'device' } as never, 'b');
    watcher.subscribe('llmiot://device/b/telemetry', { kind: 'telemetry' } as never, 'b');
    events.emit('telemetry', { points: [{ deviceId: 'b' } as TelemetryPoint] });
    mock.timers.tick(5_000);
    assert.deepEqual(updates, []);
    report('b');
    assert.deepEqual(updates, ['llmiot://device/b', 'llmiot://device/b/telemetry']);
  });

  it('drops the pending update on unsubscribe and sends none afterwards', () => {
    watcher.subscribe('llmiot://device/b', { kind: 'device' } as never, 'b');
    report('b');
    report('b'); // the trailing update is now pending
    watcher.unsubscribe('llmiot://device/b');
    report('b');
    mock.timers.tick(5_000);
    assert.deepEqual(updates, ['llmiot://device/b']);
  });
});
