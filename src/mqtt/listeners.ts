/** Listeners that feed device connections into the embedded broker: TCP, TLS, WebSocket, in-process. */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { refuseUpgrade, UpgradeRouter } from '../api/upgrade-router.ts';
import type { BusLogger } from './embedded-bus.ts';

/** Whatever accepts MQTT byte streams; {@link EmbeddedMqttBus} does. */
export interface MqttConnectionSink {
  handleConnection(stream: Duplex, request?: IncomingMessage): void;
}

/** A bound MQTT listener. */
export interface MqttListener {
  /** The port actually bound (the ephemeral one when 0 was asked). */
  readonly port: number;
  /** Stop accepting and drop the connections this listener accepted. */
  close(): Promise<void>;
}

/** Where to listen; port 0 binds an ephemeral port. Without host, every interface. */
export interface ListenOptions {
  readonly port: number;
  readonly host?: string;
  /** Where server errors after binding (such as EMFILE on accept) are reported. */
  readonly logger?: BusLogger;
}

/**
 * {@link ListenOptions} plus the PEM certificate chain, private key and optional client CA. With a CA
 * the listener asks each client for a certificate; one it signed identifies the device (its subject
 * CN, docs/security.md), and a client without one may still log in with a password.
 */
export interface TlsListenOptions extends ListenOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/** An MQTT-over-WebSocket endpoint attached to an HTTP server. */
export interface MqttWebSocketAttachment {
  /** Stop answering upgrades on the path and close the WebSocket connections it accepted. */
  close(): Promise<void>;
}

/**
 * Listen for MQTT over TCP. Rejects with "MQTT port N is already in use …" (error `code`
 * 'EADDRINUSE', the system error as `cause`) when the port is taken.
 */
export function listenMqttTcp(sink: MqttConnectionSink, options: ListenOptions): Promise<MqttListener> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sink.handleConnection(socket);
  });
  const hint = `MQTT port ${options.port} is already in use (another broker running?) — pass --mqtt-port or --mqtt-url`;
  return listen(server, options, hint);
}

/** Listen for MQTT over TLS (MQTTS, conventionally port 8883). Same errors as {@link listenMqttTcp}. */
export function listenMqttTls(sink: MqttConnectionSink, options: TlsListenOptions): Promise<MqttListener> {
  const tlsOptions = {
    cert: options.cert,
    key: options.key,
    ...(options.ca === undefined ? {} : { ca: options.ca as string | Buffer | Array<string | Buffer>, requestCert: true, rejectUnauthorized: false }),
  };
  const server = createTlsServer(tlsOptions, (socket) => {
    socket.setNoDelay(true);
    sink.handleConnection(socket);
  });
  const hint = `MQTTS port ${options.port} is already in use (another broker running?) — pass --mqtt-tls-port`;
  return listen(server, options, hint);
}

/** Options of {@link attachMqttWebSocket}. */
export interface MqttWebSocketOptions {
  /** Upgrade path; default '/mqtt'. */
  readonly path?: string;
  /** Open connections at most; an upgrade beyond is answered HTTP 503. Default 10,000. */
  readonly maxConnections?: number;
  /**
   * Largest WebSocket message, in bytes; a larger one closes the connection (1009) before it is
   * buffered. Give the broker's largest packet (EmbeddedMqttBus.maxPacketLength) plus its fixed header.
   * Default 1 MiB.
   */
  readonly maxMessageBytes?: number;
  readonly logger?: BusLogger;
  /** Why an upgrade must be refused (HTTP 403), or undefined: the hub's Origin check for browsers. */
  readonly rejection?: (request: IncomingMessage) => string | undefined;
}

/**
 * Serve MQTT over WebSocket on an existing HTTP(S) server (MQTT 3.1.1 §6: binary frames, subprotocol
 * "mqtt"), mounted on the server's {@link UpgradeRouter} so it coexists with the JSON-RPC `/ws`
 * endpoint; upgrades for paths nobody mounted are answered 404 by the router.
 */
export function attachMqttWebSocket(
  sink: MqttConnectionSink,
  server: HttpServer | HttpsServer,
  options: MqttWebSocketOptions = {},
): MqttWebSocketAttachment {
  const path = options.path ?? '/mqtt';
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: selectSubprotocol,
    maxPayload: options.maxMessageBytes ?? 1024 * 1024,
  });
  const maxConnections = options.maxConnections ?? 10_000;
  // One upgrade listener per server (the router): /ws (JSON-RPC) and /mqtt share the HTTP port.
  const unroute = UpgradeRouter.for(server as HttpServer).route(path, (request, socket, head) => {
    const rejection = options.rejection?.(request);
    if (rejection !== undefined) return refuseUpgrade(socket, 403, 'Forbidden', `Forbidden: ${rejection}`);
    // ws completes an upgrade synchronously (no verifyClient): `wss.clients` counts every accepted one.
    if (wss.clients.size >= maxConnections) {
      options.logger?.warn({ path, limit: maxConnections }, 'MQTT WebSocket connection refused: connection limit reached');
      return refuseUpgrade(socket, 503, 'Service Unavailable', `MQTT WebSocket connection limit reached: ${maxConnections} open connections on ${path}`);
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sink.handleConnection(createWebSocketStream(ws), request);
    });
  });
  return {
    close: () => {
      unroute();
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Connect to the broker in-process, with no socket: returns the client end of a byte pipe whose
 * other end the broker serves. Hand it to mqtt.js as `new MqttClient(() => connectInProcess(bus), opts)`
 * (a new pipe per connection, so mqtt.js can reconnect); destroying either end closes both.
 */
export function connectInProcess(sink: MqttConnectionSink): Duplex {
  const [clientEnd, brokerEnd] = PipeEnd.pair();
  sink.handleConnection(brokerEnd);
  return clientEnd;
}

/**
 * One end of an in-process byte pipe, like a socket: bytes written reach the other end on a later
 * turn of the event loop, never synchronously. aedes' parser is not re-entrant and reads the
 * connection again from inside a packet's processing; with `stream.duplexPair()` that read returns
 * the next bytes at once and a fast writer corrupts the parse, so delivery here is deferred.
 */
class PipeEnd extends Duplex {
  #peer: PipeEnd | undefined;
  /** The peer's write callback, held while this end's buffer is full (backpressure). */
  #resumePeerWriter: (() => void) | undefined;

  static pair(): [PipeEnd, PipeEnd] {
    const a = new PipeEnd({ allowHalfOpen: false });
    const b = new PipeEnd({ allowHalfOpen: false });
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  override _read(): void {
    const resume = this.#resumePeerWriter;
    this.#resumePeerWriter = undefined;
    resume?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#deliver(chunk, callback);
  }

  /** Writes queued while one was in flight go over together, one turn for many packets. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const only = chunks.length === 1 ? chunks[0] : undefined;
    this.#deliver(only ? only.chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  #deliver(chunk: Buffer, callback: (error?: Error | null) => void): void {
    const peer = this.#peer as PipeEnd;
    setImmediate(() => {
      if (peer.destroyed || peer.push(chunk)) callback();
      else peer.#resumePeerWriter = () => callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.#peer as PipeEnd;
    setImmediate(() => {
      if (!peer.destroyed) peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.#peer as PipeEnd;
    if (!peer.destroyed) peer.destroy();
    callback(error);
  }
}

/** The subprotocol answered is "mqtt" [MQTT-6.0.0-4], or MQTT 3.1's "mqttv3.1" for old clients. */
function selectSubprotocol(offered: Set<string>): string | false {
  if (offered.has('mqtt')) return 'mqtt';
  if (offered.has('mqttv3.1')) return 'mqttv3.1';
  return false;
}


function listen(server: Server, options: ListenOptions, inUseMessage: string): Promise<MqttListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise<MqttListener>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(Object.assign(new Error(inUseMessage, { cause: error }), { code: 'EADDRINUSE' }));
      } else {
        reject(error);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      // Without an 'error' listener, a failed accept would end the process.
      server.on('error', (error) => options.logger?.warn({ err: error.message }, 'mqtt listener error'));
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (options.host === undefined) server.listen(options.port);
    else server.listen(options.port, options.host);
  });
}
