/** EmbeddedBusConnections: the embedded broker takes on device connections, reads them within the packet limit, pauses them together. */
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import { capDeliveryQos } from './granted-qos.ts';
import type { MqttConnectionSink } from './listeners.ts';
import { guardPacketSize } from './packet-size-guard.ts';
import type { Refusal } from './reject-reasons.ts';

/** Default `EmbeddedMqttBusOptions.connectTimeoutMs` (embedded-bus.ts). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Largest Remaining Length a packet may announce beyond the payload limit: a PUBLISH also carries its
 * topic (2 + up to 65,535 bytes) and a packet id (2) [MQTT-3.3.2]; anything longer is refused from its
 * fixed header, before its body is read.
 */
const PUBLISH_OVERHEAD_BYTES = 2 + 65_535 + 2;

/** Default `EmbeddedMqttBusOptions.maxPacketBytes` (embedded-bus.ts). */
export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024;

/** Default `EmbeddedMqttBusOptions.maxConnections` (embedded-bus.ts): open MQTT connections over TCP and TLS. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Log (throttled per client) and count a connection closed for a packet it announced. */
export type ConnectionRefusal = Refusal<'packet-too-large' | 'malformed-packet' | 'connection-limit'>;

/** Options of {@link EmbeddedBusConnections}. */
export interface EmbeddedBusConnectionsOptions {
  /** Largest PUBLISH payload, in bytes, a client may send. */
  readonly maxPacketBytes: number;
  /**
   * Open TCP and TLS connections at most (the MQTT-over-WebSocket endpoint has its own cap, in-process
   * links none); one past it is closed before a byte is read. Default {@link DEFAULT_MAX_CONNECTIONS}.
   */
  readonly maxConnections?: number;
  readonly refused: ConnectionRefusal;
}

/**
 * Device byte streams handed to the broker, and the reading side of their connections: each packet is
 * refused by the size its fixed header announces, and reading is paused or resumed for every device
 * at once. The CONNECT timeout is aedes' own (`connectTimeout`, {@link DEFAULT_CONNECT_TIMEOUT_MS}).
 */
export class EmbeddedBusConnections implements MqttConnectionSink {
  readonly #broker: Aedes;
  readonly #maxRemainingLength: number;
  readonly #refused: ConnectionRefusal;
  readonly #maxConnections: number;
  /** Open TCP and TLS connections. */
  #sockets = 0;
  #paused = false;
  #closing = false;

  /** Construct before any other 'clientReady' listener: a client that connects while paused starts paused. */
  constructor(broker: Aedes, options: EmbeddedBusConnectionsOptions) {
    this.#broker = broker;
    this.#maxRemainingLength = options.maxPacketBytes + PUBLISH_OVERHEAD_BYTES;
    this.#refused = options.refused;
    this.#maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    broker.on('clientReady', (client) => {
      if (this.#paused) (client as unknown as PausableClient).pause();
    });
  }

  /** The largest Remaining Length a packet may announce (payload limit plus PUBLISH overhead). */
  get maxPacketLength(): number {
    return this.#maxRemainingLength;
  }

  /** Open TCP and TLS connections. */
  get sockets(): number {
    return this.#sockets;
  }

  /** Hand a connected byte stream (socket, TLS socket, WebSocket stream, in-process pair) to the broker. */
  handleConnection(stream: Duplex, request?: IncomingMessage): void {
    if (this.#closing) {
      stream.destroy();
      return;
    }
    // Every socket costs a file descriptor whether or not it ever sends CONNECT: past the cap a new one
    // is closed at once, so a flood of them cannot take the descriptors the hub's HTTP and database need.
    if (request === undefined && stream instanceof Socket) {
      if (this.#sockets >= this.#maxConnections) {
        const peer = stream.remoteAddress ?? '';
        stream.destroy();
        this.#refused('connection-limit', null, '', `MQTT connection from ${peer} refused: ${this.#maxConnections} TCP/TLS connections open (--max-mqtt-connections)`);
        return;
      }
      this.#sockets++;
      stream.once('close', () => this.#sockets--);
    }
    const client = this.#broker.handle(stream, request);
    capDeliveryQos(client);
    guardPacketSize(client, stream, this.#maxRemainingLength, (verdict, announced) => {
      const clientId = client.id ?? null;
      if (verdict === 'too-large') {
        this.#refused('packet-too-large', clientId, '', `connection closed: packet of ${announced} bytes announced, limit ${this.#maxRemainingLength}`);
      } else {
        this.#refused('malformed-packet', clientId, '', 'connection closed: malformed Remaining Length [MQTT-2.2.3]');
      }
    });
  }

  /**
   * Pause or resume reading from every device connection (aedes stops reading the socket, so TCP
   * pushes back on the devices); clients that connect while paused start paused.
   */
  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    for (const client of Object.values(this.#clients())) {
      if (paused) client.pause();
      else resumeClient(client);
    }
  }

  /** Refuse new connections from now on and read from every open one again, so they can be closed. */
  close(): void {
    this.#closing = true;
    this.setPaused(false);
  }

  #clients(): Record<string, PausableClient> {
    return (this.#broker as unknown as { clients: Record<string, PausableClient> }).clients;
  }
}

/** The part of an aedes Client that flow control uses. */
export interface PausableClient {
  pause(): void;
  resume(): void;
  _parsingBatch: number;
  /** Handle the next packet read (aedes' `done` of a packet's handler). */
  _nextBatch(error?: Error): void;
}

/**
 * aedes' Client.pause() makes each packet that completes while paused skip its batch countdown, so
 * after resume() the client would never read again. Every packet read before the pause has been
 * handled by the time the backlog clears; restart the countdown at one so resume() reads at once.
 */
function resumeClient(client: PausableClient): void {
  client._parsingBatch = 1;
  client.resume();
}
