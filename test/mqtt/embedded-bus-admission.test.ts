/** QoS1Admission alone: PUBACK after the holds, in arrival order, never for a message not taken. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PublishPacket } from 'aedes';
import { pubackBytes, QoS1Admission, type AdmissionBroker, type AdmittedClient } from '../../src/mqtt/embedded-bus-admission.ts';

/** A broker whose publish hands the packet to one subscriber (which may hold it) and completes. */
class FakeBroker implements AdmissionBroker {
  counter = 100;
  failNext = false;
  readonly subscriber: (packet: PublishPacket & { brokerCounter: number }) => void;
  constructor(subscriber: (packet: PublishPacket & { brokerCounter: number }) => void) {
    this.subscriber = subscriber;
  }
  publish(packet: PublishPacket, _client: unknown, done: (error?: Error) => void): void {
    if (this.failNext) {
      this.failNext = false;
      done(new Error('persistence down'));
      return;
    }
    queueMicrotask(() => {
      this.subscriber(packet as PublishPacket & { brokerCounter: number });
      done();
    });
  }
}

/** A client that records what is written to it and whether it was closed. */
function fakeClient(): AdmittedClient & { written: Buffer[]; closes: number; connecting: boolean; connected: boolean } {
  const written: Buffer[] = [];
  const client = {
    id: 'device-1',
    connecting: false,
    connected: true,
    closed: false,
    written,
    closes: 0,
    conn: { write: (bytes: Buffer) => written.push(bytes) },
    close() {
      client.closes++;
      client.closed = true;
      client.connected = false;
    },
  };
  return client as unknown as AdmittedClient & { written: Buffer[]; closes: number; connecting: boolean; connected: boolean };
}

const packet = (messageId: number): PublishPacket => ({ cmd: 'publish', topic: 'llmiot/v1/device-1/up', payload: Buffer.from('{}'), qos: 1, retain: false, dup: false, messageId });
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const messageIds = (written: Buffer[]): number[] => written.map((bytes) => bytes.readUInt16BE(2));

/** A hold the test settles. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('QoS1Admission', () => {
  it('writes the PUBACK once the hold settles, not before, and asks the client to read on meanwhile', async () => {
    const hold = deferred();
    let admission!: QoS1Admission;
    const broker = new FakeBroker((p) => assert.equal(admission.hold(p, hold.promise), true));
    admission = new QoS1Admission(broker);
    const client = fakeClient();
    let readOn = 0;
    admission.admit(client, packet(7), () => readOn++);
    await turn();
    assert.equal(readOn, 1, 'the connection reads on while the message is held');
    assert.deepEqual(client.written, [], 'no PUBACK while held');
    hold.resolve();
    await turn();
    assert.deepEqual(client.written, [pubackBytes(7)]);
    assert.equal(admission.publishing, 0);
  });

  it('acknowledges a message nobody holds as soon as every subscriber has it', async () => {
    const admission = new QoS1Admission(new FakeBroker(() => {}));
    const client = fakeClient();
    admission.admit(client, packet(1), () => {});
    await turn();
    assert.deepEqual(messageIds(client.written), [1]);
  });

  it('numbers each packet with the next brokerCounter, so a delivered copy finds its admission', async () => {
    const seen: number[] = [];
    const broker = new FakeBroker((p) => seen.push(p.brokerCounter));
    const admission = new QoS1Admission(broker);
    admission.admit(fakeClient(), packet(1), () => {});
    admission.admit(fakeClient(), packet(2), () => {});
    await turn();
    assert.deepEqual(seen, [101, 102]);
    assert.equal(admission.hold({ brokerCounter: 999 }, Promise.resolve()), false, 'an unknown packet (the hub\'s own, a will) holds nothing');
  });

  it('keeps arrival order: a later message settled first waits for the earlier one [MQTT-4.6.0-2]', async () => {
    const holds = new Map<number, ReturnType<typeof deferred>>();
    let admission!: QoS1Admission;
    const broker = new FakeBroker((p) => {
      const hold = deferred();
      holds.set(p.messageId ?? 0, hold);
      admission.hold(p, hold.promise);
    });
    admission = new QoS1Admission(broker);
    const client = fakeClient();
    for (const id of [1, 2, 3]) admission.admit(client, packet(id), () => {});
    await turn();
    holds.get(3)?.resolve();
    holds.get(2)?.resolve();
    await turn();
    assert.deepEqual(client.written, [], 'message 1 is still held');
    holds.get(1)?.resolve();
    await turn();
    assert.deepEqual(messageIds(client.written), [1, 2, 3]);
  });

  it('a message not taken is never acknowledged and closes the connection, later ones with it', async () => {
    const holds: ReturnType<typeof deferred>[] = [];
    let admission!: QoS1Admission;
    const broker = new FakeBroker((p) => {
      const hold = deferred();
      holds.push(hold);
      admission.hold(p, hold.promise);
    });
    admission = new QoS1Admission(broker);
    const client = fakeClient();
    admission.admit(client, packet(1), () => {});
    admission.admit(client, packet(2), () => {});
    await turn();
    holds[0]?.reject(new Error('store down'));
    holds[1]?.resolve();
    await turn();
    assert.equal(client.closes, 1);
    assert.deepEqual(client.written, [], 'nothing acknowledged on a closed connection: the client resends both');
  });

  it('a failed publish (broker persistence) closes the connection without a PUBACK', async () => {
    const broker = new FakeBroker(() => {});
    broker.failNext = true;
    const admission = new QoS1Admission(broker);
    const client = fakeClient();
    admission.admit(client, packet(5), () => {});
    await turn();
    assert.equal(client.closes, 1);
    assert.deepEqual(client.written, []);
  });

  it('a connection that closed while its message was held gets no PUBACK', async () => {
    const hold = deferred();
    let admission!: QoS1Admission;
    admission = new QoS1Admission(new FakeBroker((p) => admission.hold(p, hold.promise)));
    const client = fakeClient();
    admission.admit(client, packet(9), () => {});
    await turn();
    client.close();
    hold.resolve();
    await turn();
    assert.deepEqual(client.written, []);
  });

  it('acknowledges on a connection still sending its session queue after CONNACK (aedes: connecting, not yet connected)', async () => {
    const hold = deferred();
    let admission!: QoS1Admission;
    admission = new QoS1Admission(new FakeBroker((p) => admission.hold(p, hold.promise)));
    const client = fakeClient();
    // A reconnecting client resends right after CONNACK, before aedes has sent what it queued for the session.
    client.connecting = true;
    client.connected = false;
    admission.admit(client, packet(4), () => {});
    await turn();
    hold.resolve();
    await turn();
    assert.deepEqual(client.written, [pubackBytes(4)], 'a PUBACK lost here is never sent again: the client would wait for it for good');
  });

  it('after a session takeover (same client id), the old connection\'s PUBACK goes nowhere, not to the new one', async () => {
    const holds = [deferred(), deferred()];
    let admission!: QoS1Admission;
    let next = 0;
    admission = new QoS1Admission(new FakeBroker((p) => admission.hold(p, (holds[next++] as ReturnType<typeof deferred>).promise)));
    const old = fakeClient();
    admission.admit(old, packet(3), () => {});
    await turn();
    // aedes closes the connection it replaces before the new one is registered [MQTT-3.1.4-2].
    old.close();
    const replacement = fakeClient();
    replacement.connecting = true;
    replacement.connected = false;
    admission.admit(replacement, { ...packet(3), dup: true }, () => {});
    await turn();
    (holds[0] as ReturnType<typeof deferred>).resolve();
    await turn();
    assert.deepEqual([old.written, replacement.written], [[], []], 'the resent copy is not acknowledged by the old copy\'s commit');
    (holds[1] as ReturnType<typeof deferred>).resolve();
    await turn();
    assert.deepEqual(messageIds(replacement.written), [3], 'one PUBACK, for the copy the new connection sent, once it is taken');
  });
});
