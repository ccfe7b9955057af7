/** A TCP pass-through in front of a real broker that reads each client's MQTT stream: its client id and the topics it publishes. */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One TCP connection through the tap. */
export interface TappedConnection {
  /** From the CONNECT packet; null until it arrived. */
  clientId: string | null;
  /** Topic of every PUBLISH the client sent on this connection, in order. */
  readonly topics: string[];
}

export class MqttTap {
  readonly connections: TappedConnection[] = [];
  readonly url: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
    this.url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Listen on an ephemeral port and forward every connection to `brokerUrl`. */
  static async start(brokerUrl: string): Promise<MqttTap> {
    const target = new URL(brokerUrl);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tap = new MqttTap(server);
    server.on('connection', (client) => tap.#forward(client, target.hostname, Number(target.port || 1883)));
    return tap;
  }

  /** Connections that identified themselves as `clientId`. */
  byClient(clientId: string): TappedConnection[] {
    return this.connections.filter((c) => c.clientId === clientId);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const seen: TappedConnection = { clientId: null, topics: [] };
    this.connections.push(seen);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = readPackets(Buffer.concat([pending, chunk]), seen);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** Consume every complete packet at the front of `buffer` (MQTT 3.1.1 / 5 §2.1 fixed header); returns the rest. */
function readPackets(buffer: Buffer, seen: TappedConnection): Buffer {
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    let length = 0;
    let multiplier = 1;
    let i = offset + 1;
    let complete = false;
    for (; i < buffer.length && i < offset + 5; i++) {
      const byte = buffer[i] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        i++;
        break;
      }
    }
    if (!complete || buffer.length < i + length) break;
    const type = (buffer[offset] as number) >> 4;
    const body = buffer.subarray(i, i + length);
    if (type === 1) seen.clientId = connectClientId(body);
    else if (type === 3) seen.topics.push(body.subarray(2, 2 + body.readUInt16BE(0)).toString('utf8'));
    offset = i + length;
  }
  return buffer.subarray(offset);
}

/** The client id of a CONNECT: after protocol name, level, flags, keep alive and (MQTT 5) the properties. */
function connectClientId(body: Buffer): string {
  let at = 2 + body.readUInt16BE(0);
  const level = body[at] as number;
  at += 4;
  if (level === 5) {
    let length = 0;
    let multiplier = 1;
    for (;;) {
      const byte = body[at++] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) break;
    }
    at += length;
  }
  return body.subarray(at + 2, at + 2 + body.readUInt16BE(at)).toString('utf8');
}
