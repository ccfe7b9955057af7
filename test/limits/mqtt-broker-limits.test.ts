/**
 * The embedded broker's limits (issue 10, "Unbounded resources"): connections, packet size from the fixed header,
 * CONNECT timeout, subscriptions per session, retained-store bounds, and retained delivery at
 * min(stored, granted) QoS [MQTT-3.8.4-6].
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, describe, it } from 'node:test';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { EmbeddedMqttBus, type EmbeddedMqttBusOptions, type PublishRejectReason } from '../../src/mqtt/embedded-bus.ts';
import { listenMqttTcp, type MqttListener } from '../../src/mqtt/listeners.ts';
import { eventually, within } from '../support/eventually.ts';

const DEVICE: IClientOptions = { protocolVersion: 4, reconnectPeriod: 0 };
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A broker on an ephemeral port; `served` holds the server side of each connection, `rejected` each refusal. */
async function broker(options: EmbeddedMqttBusOptions = {}) {
  const rejected: PublishRejectReason[] = [];
  const bus = await EmbeddedMqttBus.create({ ...options, onRejected: (reason) => rejected.push(reason) });
  const served: Duplex[] = [];
  const listener: MqttListener = await listenMqttTcp(
    {
      handleConnection(stream, request) {
        served.push(stream);
        bus.handleConnection(stream, request);
      },
    },
    { port: 0, host: '127.0.0.1' },
  );
  cleanups.push(() => bus.close(), () => listener.close());
  const device = async (clientId: string, extra: IClientOptions = {}): Promise<MqttClient> => {
    const client = await connectAsync(`mqtt://127.0.0.1:${listener.port}`, { ...DEVICE, clientId, ...extra });
    cleanups.push(() => client.endAsync(true));
    return client;
  };
  return { bus, port: listener.port, served, rejected, device };
}

/** MQTT 3.1.1 CONNECT (§3.1) for `clientId`, clean session, keep-alive 60 s. */
function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([4, 2, 0, 60, 0, id.length]), id]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

/** A variable byte integer (MQTT 3.1.1 §2.2.3). */
function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** Resolves when `socket` can take more or has closed (never rejects: a reset is what is expected here). */
function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/** The SUBACK return codes, including failures (mqtt.js rejects when any is 0x80, with the packet). */
async function subscribeCodes(client: MqttClient, filters: string[] | Record<string, { qos: 0 | 1 | 2 }>, qos: 0 | 1 = 0): Promise<number[]> {
  try {
    const granted = Array.isArray(filters) ? await client.subscribeAsync(filters, { qos }) : await client.subscribeAsync(filters);
    return granted.map((g) => g.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (packet?.granted === undefined) throw error;
    return packet.granted;
  }
}

describe('embedded broker limits', () => {
  it('a PUBLISH announcing 100 MiB is refused from its fixed header: closed after less than the limit was read', async () => {
    const maxPacketBytes = 64 * 1024;
    const b = await broker({ maxPacketBytes });
    const socket: Socket = netConnect(b.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(connectPacket('big-sender'));
    await once(socket, 'data'); // CONNACK
    socket.on('error', () => {});
    const topic = Buffer.from('big/one');
    const announced = 100 * 1024 * 1024;
    socket.write(Buffer.concat([Buffer.from([0x30]), remainingLength(announced), Buffer.from([0, topic.length]), topic]));
    let closed = false;
    socket.once('close', () => (closed = true));
    const chunk = Buffer.alloc(1024 * 1024);
    let sent = 0;
    while (!closed && sent < announced) {
      if (!socket.write(chunk)) await drainedOrClosed(socket);
      sent += chunk.length;
    }
    await eventually(() => closed, 5000, 'the sender disconnected');
    const server = b.served[0] as Socket;
    await eventually(() => server.destroyed, 5000, 'the server side closed');
    const limit = b.bus.maxPacketLength;
    assert.ok(server.bytesRead < limit, `the broker read ${server.bytesRead} bytes; the packet limit is ${limit}`);
    assert.deepEqual(b.rejected, ['packet-too-large']);
  });

  it('packets up to the limit pass, many in one read included', async () => {
    const maxPacketBytes = 4096;
    const b = await broker({ maxPacketBytes });
    const got: number[] = [];
    await b.bus.subscribe('fit/#', (_topic, payload) => {
      got.push(payload.length);
    });
    const sender = await b.device('fitter');
    const longTopic = `fit/${'t'.repeat(60_000)}`;
    await sender.publishAsync(longTopic, Buffer.alloc(maxPacketBytes), { qos: 1 });
    for (let i = 0; i < 200; i++) sender.publish('fit/small', Buffer.alloc(10));
    await eventually(() => got.length === 201, 5000, 'every packet delivered');
    assert.equal(got[0], maxPacketBytes);
    assert.deepEqual(b.rejected, []);
  });

  it('a socket that never sends CONNECT is closed after connectTimeoutMs', async () => {
    const b = await broker({ connectTimeoutMs: 200 });
    const socket = netConnect(b.port, '127.0.0.1');
    socket.on('error', () => {});
    const opened = Date.now();
    await once(socket, 'connect');
    await within(once(socket, 'close'), 5000, 'the socket still open');
    assert.ok(Date.now() - opened >= 150, 'not before the timeout');
  });

  it('connections: one past maxConnections is closed before a byte is read, counted; a slot freed takes the next device', async () => {
    const b = await broker({ maxConnections: 2 });
    // Two idle sockets (never a CONNECT) hold both slots: what a flood of them would do.
    const idle = [netConnect(b.port, '127.0.0.1'), netConnect(b.port, '127.0.0.1')];
    for (const s of idle) {
      s.on('error', () => {});
      await once(s, 'connect');
    }
    await eventually(() => b.served.length === 2, 10_000, 'both sockets accepted');
    const third = netConnect(b.port, '127.0.0.1');
    third.on('error', () => {});
    const received: Buffer[] = [];
    third.on('data', (chunk: Buffer) => received.push(chunk));
    third.write(connectPacket('third'));
    await once(third, 'close');
    assert.deepEqual(received, [], 'the third connection is closed without a CONNACK');
    assert.deepEqual(b.rejected, ['connection-limit']);
    assert.equal(b.served.length, 3);
    idle[0]!.destroy();
    await once(idle[0]!, 'close');
    await eventually(() => b.bus.openConnections === 1, 10_000, 'the slot is free');
    const fourth = await b.device('fourth');
    assert.equal(fourth.connected, true, 'a device connects once a slot is free');
  });

  it('subscriptions per session: filters beyond the cap get SUBACK 0x80, the session and its other filters stay', async () => {
    const b = await broker({ maxSubscriptionsPerClient: 3 });
    const client = await b.device('subscriber');
    assert.deepEqual(await subscribeCodes(client, ['a/1', 'a/2', 'a/3', 'a/4', 'a/5']), [0, 0, 0, 128, 128]);
    const again = await client.subscribeAsync('a/1', { qos: 1 });
    assert.equal(again[0]?.qos, 1, 're-subscribing to a held filter is always allowed');
    await client.unsubscribeAsync('a/2');
    assert.equal((await client.subscribeAsync('a/9', { qos: 0 }))[0]?.qos, 0, 'an unsubscribe frees a place');
    assert.equal(b.rejected.filter((r) => r === 'subscription-limit').length, 2);
    assert.ok(client.connected);
    const persistent = await b.device('persistent-subscriber', { clean: false });
 assert.deepEqual(await subscribeCodes(persistent, ['p/1', 'p/2', 'p/3', 'p/4'], 1), [1, 1, 1, 128], 'a persistent session (stored asynchronously) is counted the same');
  });

  it('retained store bounds: a retained PUBLISH beyond the count or bytes is refused; replacing or deleting always fits', async () => {
    const b = await broker({ maxRetainedMessages: 2, maxRetainedBytes: 1000 });
    const first = await b.device('retainer-1');
    await first.publishAsync('keep/a', 'x'.repeat(100), { qos: 1, retain: true });
    await first.publishAsync('keep/b', 'x'.repeat(100), { qos: 1, retain: true });
    await eventually(() => b.bus.retained.messages === 2, 5000, 'two retained');
    await first.publishAsync('keep/a', 'y'.repeat(200), { qos: 1, retain: true });
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    first.publish('keep/c', 'z', { qos: 1, retain: true });
    await closed;
    assert.deepEqual(b.rejected, ['retained-count']);
    assert.equal(b.bus.retained.messages, 2);

    const second = await b.device('retainer-2');
    await second.publishAsync('keep/b', '', { qos: 1, retain: true });
    await eventually(() => b.bus.retained.messages === 1, 5000, 'an empty retained payload deletes');
    const closedAgain = new Promise<void>((resolve) => second.once('close', () => resolve()));
    second.publish('keep/d', 'w'.repeat(900), { qos: 1, retain: true });
    await closedAgain;
    assert.deepEqual(b.rejected, ['retained-count', 'retained-bytes']);
    const third = await b.device('retainer-3');
    await third.publishAsync('keep/d', 'w'.repeat(500), { qos: 1, retain: true });
    await eventually(() => b.bus.retained.messages === 2, 5000, 'fits once under the byte bound');
    await third.publishAsync('live/not-retained', 'v'.repeat(5000), { qos: 1 });
    assert.equal(b.rejected.length, 2, 'messages that are not retained are not counted against the store');
  });

  it('[MQTT-3.8.4-6] retained and live messages reach a wildcard subscriber at min(stored, granted) QoS', async () => {
    const b = await broker();
    await b.bus.publish('state/pump', 'on', { qos: 1, retain: true });
    const client = await b.device('qos-0-subscriber');
    const received: { topic: string; qos: number; retain: boolean }[] = [];
    client.on('message', (topic, _payload, packet) => received.push({ topic, qos: packet.qos, retain: packet.retain }));
    await client.subscribeAsync('state/#', { qos: 0 });
    await eventually(() => received.length === 1, 5000, 'the retained message');
    assert.deepEqual(received[0], { topic: 'state/pump', qos: 0, retain: true });
    await b.bus.publish('state/valve', 'open', { qos: 1 });
    await eventually(() => received.length === 2, 5000, 'the live message');
    assert.deepEqual(received[1], { topic: 'state/valve', qos: 0, retain: false });
    const both = await b.device('overlapping-subscriber');
    const got: number[] = [];
    both.on('message', (_topic, _payload, packet) => got.push(packet.qos));
    await both.subscribeAsync({ 'state/#': { qos: 0 }, 'state/+': { qos: 1 } });
    await eventually(() => got.length >= 1, 5000, 'retained to overlapping filters');
    assert.equal(got[0], 1, 'the highest QoS granted among matching filters [MQTT-3.3.5-1]');
  });
});
