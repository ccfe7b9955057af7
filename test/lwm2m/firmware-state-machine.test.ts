/** The Object 5 Firmware Update state machine: walks, failures, resets, cancel, and illegal transitions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareTransitionError } from '../../src/protocols/lwm2m/errors/firmware-transition-error.ts';
import {
  describeFirmwareStatus,
  DOWNLOAD_FAILURES,
  FirmwareState,
  INITIAL_FIRMWARE_STATUS,
  next,
  UpdateResult,
  type FirmwareEvent,
  type FirmwareStatus,
} from '../../src/protocols/lwm2m/firmware-state-machine.ts';

const { Idle, Downloading, Downloaded, Updating } = FirmwareState;

/** Apply events in order; every step must be legal. Returns the statuses after each step. */
function walk(start: FirmwareStatus, events: readonly FirmwareEvent[]): FirmwareStatus[] {
  const trail: FirmwareStatus[] = [];
  let status = start;
  for (const event of events) {
    const step = next(status, event);
    assert.ok(step.ok, `${event.type} from ${describeFirmwareStatus(status)}: ${step.ok ? '' : step.error.message}`);
    status = { state: step.state, result: step.result };
    trail.push(status);
  }
  return trail;
}

function illegal(status: FirmwareStatus, event: FirmwareEvent, reason: RegExp): FirmwareTransitionError {
  const step = next(status, event);
  assert.equal(step.ok, false, `${event.type} from ${describeFirmwareStatus(status)} should be illegal`);
  if (step.ok) throw new Error('unreachable');
  assert.ok(step.error instanceof FirmwareTransitionError);
  assert.equal(step.error.code, 'LWM2M_FIRMWARE_ILLEGAL_TRANSITION');
  assert.equal(step.error.state, status.state);
  assert.equal(step.error.event, event.type);
  assert.match(step.error.reason, reason);
  return step.error;
}

const at = (state: FirmwareState, result: UpdateResult = UpdateResult.Initial): FirmwareStatus => ({ state, result });
const uri: FirmwareEvent = { type: 'write-package-uri', uri: 'coaps://fw.example/pkg-2.1.bin' };

describe('firmware update: happy paths', () => {
  it('starts Idle with the initial result', () => {
    assert.deepEqual(INITIAL_FIRMWARE_STATUS, { state: Idle, result: UpdateResult.Initial });
    assert.ok(Object.isFrozen(INITIAL_FIRMWARE_STATUS));
  });

  it('pull: URI → Downloading → Downloaded → Updating → Idle with result 1', () => {
    const trail = walk(INITIAL_FIRMWARE_STATUS, [uri, { type: 'download-complete' }, { type: 'execute-update' }, { type: 'update-succeeded' }]);
    assert.deepEqual(trail, [at(Downloading), at(Downloaded), at(Updating), at(Idle, UpdateResult.Success)]);
  });

  it('push: Package write → Downloading → Downloaded → Updating → Idle', () => {
    const trail = walk(INITIAL_FIRMWARE_STATUS, [{ type: 'write-package', empty: false }, { type: 'download-complete' }, { type: 'execute-update' }, { type: 'update-succeeded' }]);
    assert.deepEqual(trail.at(-1), at(Idle, UpdateResult.Success));
  });

  it('a new download after a success resets the result to 0', () => {
    assert.deepEqual(walk(at(Idle, UpdateResult.Success), [uri]), [at(Downloading, UpdateResult.Initial)]);
  });

  it('a deferred update stays Downloaded with result 11, then installs when executed again', () => {
    const trail = walk(at(Downloaded), [{ type: 'update-deferred' }, { type: 'execute-update' }, { type: 'update-succeeded' }]);
    assert.deepEqual(trail, [at(Downloaded, UpdateResult.Deferred), at(Updating), at(Idle, UpdateResult.Success)]);
  });
});

describe('firmware update: failures', () => {
  for (const result of DOWNLOAD_FAILURES) {
    it(`a download failure with result ${result} returns to Idle`, () => {
      assert.deepEqual(walk(at(Downloading), [{ type: 'download-failed', result }]), [at(Idle, result)]);
    });
  }

  it('a failed update returns to Downloaded with result 8 and can be retried', () => {
    const trail = walk(at(Updating), [{ type: 'update-failed', result: 8 }, { type: 'execute-update' }, { type: 'update-succeeded' }]);
    assert.deepEqual(trail, [at(Downloaded, UpdateResult.UpdateFailed), at(Updating), at(Idle, UpdateResult.Success)]);
  });

  it('an integrity failure during the update returns to Idle with result 5', () => {
    assert.deepEqual(walk(at(Updating), [{ type: 'update-failed', result: 5 }]), [at(Idle, UpdateResult.IntegrityCheckFailure)]);
  });

  it('refuses failure results that do not belong to the phase', () => {
    illegal(at(Downloading), { type: 'download-failed', result: 8 as 9 }, /result 8 is not a download failure; expected one of 2, 3, 4, 5, 6, 7, 9/);
    illegal(at(Updating), { type: 'update-failed', result: 4 as 8 }, /result 4 is not an update failure/);
  });
});

describe('firmware update: reset and cancel', () => {
  for (const state of [Idle, Downloading, Downloaded]) {
    it(`writing an empty Package URI in state ${state} resets to Idle, result 0`, () => {
      assert.deepEqual(walk(at(state, UpdateResult.InvalidUri), [{ type: 'write-package-uri', uri: '' }]), [at(Idle)]);
    });
    it(`writing a NULL Package in state ${state} resets to Idle, result 0`, () => {
      assert.deepEqual(walk(at(state), [{ type: 'write-package', empty: true }]), [at(Idle)]);
    });
  }

  it('refuses a reset while the update is being installed', () => {
    illegal(at(Updating), { type: 'write-package-uri', uri: '' }, /being installed/);
  });

  it('cancels a download or a downloaded package with result 10', () => {
    assert.deepEqual(walk(at(Downloading), [{ type: 'cancel' }]), [at(Idle, UpdateResult.Cancelled)]);
    assert.deepEqual(walk(at(Downloaded, UpdateResult.Deferred), [{ type: 'cancel' }]), [at(Idle, UpdateResult.Cancelled)]);
  });

  it('refuses Cancel during or after installation', () => {
    illegal(at(Updating), { type: 'cancel' }, /Method Not Allowed/);
    illegal(at(Idle, UpdateResult.Success), { type: 'cancel' }, /nothing to cancel in Idle/);
  });
});

describe('firmware update: illegal transitions', () => {
  it('refuses Execute Update before the package is downloaded', () => {
    const error = illegal(INITIAL_FIRMWARE_STATUS, { type: 'execute-update' }, /only executable in Downloaded/);
    assert.equal(error.message, 'illegal firmware update transition: execute-update in state 0: Update is only executable in Downloaded (App. E.6 resource 2), not Idle');
    illegal(at(Downloading), { type: 'execute-update' }, /not Downloading/);
    illegal(at(Updating), { type: 'execute-update' }, /not Updating/);
  });

  it('refuses a second package while one is downloading or downloaded', () => {
    illegal(at(Downloading), uri, /already downloading; write an empty Package URI to reset first/);
    illegal(at(Downloaded), { type: 'write-package', empty: false }, /already downloaded/);
  });

  it('refuses client reports that do not fit the state', () => {
    illegal(at(Idle), { type: 'download-complete' }, /no download is under way/);
    illegal(at(Downloaded), { type: 'download-failed', result: 4 }, /no download is under way/);
    illegal(at(Downloaded), { type: 'update-succeeded' }, /no update is being installed/);
    illegal(at(Idle), { type: 'update-failed', result: 8 }, /no update is being installed/);
    illegal(at(Updating), { type: 'update-deferred' }, /only a Downloaded update can be deferred/);
  });

  it('refuses an unknown state', () => {
    illegal({ state: 7 as FirmwareState, result: 0 }, uri, /unknown state 7/);
  });

  it('matches the full state × event table', () => {
    const events: readonly FirmwareEvent[] = [
      uri,
      { type: 'write-package-uri', uri: '' },
      { type: 'write-package', empty: false },
      { type: 'write-package', empty: true },
      { type: 'download-complete' },
      { type: 'download-failed', result: 4 },
      { type: 'execute-update' },
      { type: 'update-deferred' },
      { type: 'update-succeeded' },
      { type: 'update-failed', result: 8 },
      { type: 'cancel' },
    ];
    // Resulting "state/result" per event, or "-" for illegal; one row per state.
    const expected: Record<FirmwareState, readonly string[]> = {
      [Idle]: ['1/0', '0/0', '1/0', '0/0', '-', '-', '-', '-', '-', '-', '-'],
      [Downloading]: ['-', '0/0', '-', '0/0', '2/0', '0/4', '-', '-', '-', '-', '0/10'],
      [Downloaded]: ['-', '0/0', '-', '0/0', '-', '-', '3/0', '2/11', '-', '-', '0/10'],
      [Updating]: ['-', '-', '-', '-', '-', '-', '-', '-', '0/1', '2/8', '-'],
    };
    for (const state of [Idle, Downloading, Downloaded, Updating]) {
      const row = events.map((event) => {
        const step = next(at(state), event);
        return step.ok ? `${step.state}/${step.result}` : '-';
      });
      assert.deepEqual(row, expected[state], `state ${state}`);
    }
  });
});

describe('describeFirmwareStatus', () => {
  it('names the state and the result', () => {
    assert.equal(describeFirmwareStatus(at(Downloaded, UpdateResult.UpdateFailed)), 'Downloaded (result 8: UpdateFailed)');
    assert.equal(describeFirmwareStatus({ state: 9 as FirmwareState, result: 42 as UpdateResult }), 'unknown state 9 (result 42: unknown)');
  });
});
