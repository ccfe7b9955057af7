/**
 * One connection of the external-broker bus: CONNECT (MQTT 5 or 3.1.1, kept session or clean), the
 * PUBLISHes a kept session delivers before the bus takes the client over, and connection errors
 * that read "what failed: which broker" without echoing credentials.
 */
import { randomUUID } from 'node:crypto';
import { connect as mqttConnect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { DEFAULT_SESSION_EXPIRY_SECONDS, type ExternalMqttBusOptions } from './external-bus-options.ts';

/** One connection attempt with no automatic retry; resolves on CONNACK 0. */
export function connectOnce(url: string, version: 4 | 5, options: ExternalMqttBusOptions, timeoutMs: number): Promise<MqttClient> {
  const sessionExpiry = options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS;
  const clientOptions: IClientOptions = {
    protocolVersion: version,
    clientId: options.clientId ?? `llmiot-hub-${randomUUID().slice(0, 8)}`,
    // A kept session (Clean Start 0, MQTT 5.0 §3.1.2.4; CleanSession 0, 3.1.1 §3.1.2.4): the broker
    // queues QoS 1 messages for the hub while it is away and resends the unacknowledged ones.
    clean: sessionExpiry === 0,
    ...(version === 5 && sessionExpiry > 0 && { properties: { sessionExpiryInterval: sessionExpiry } }),
    reconnectPeriod: 0,
    // mqtt.js' own CONNACK timer, kept behind ours so the first failure reads "no answer within".
    connectTimeout: timeoutMs + 1000,
    // The bus resubscribes itself after a reconnection (#reconnected), so it knows when that is done.
    resubscribe: false,
  };
  if (options.username !== undefined) clientOptions.username = options.username;
  if (options.password !== undefined) clientOptions.password = options.password;
  if (options.will !== undefined) {
    const { topic, payload, qos = 0, retain = false } = options.will;
    clientOptions.will = { topic, payload, qos, retain };
  }
  const client = mqttConnect(url, clientOptions);
  // A kept session delivers its queued messages right behind the CONNACK, before the bus exists:
  // take them without acknowledging (MQTT.js waits for the callback), for the bus to replay.
  const early: BufferedPublish[] = [];
  buffered.set(client, early);
  client.handleMessage = (packet, callback) => void early.push({ packet, callback });
  return new Promise<MqttClient>((resolve, reject) => {
    let lastError: unknown;
    const timer = setTimeout(() => fail(new ConnectTimeout()), timeoutMs);
    const onConnect = (connack: { sessionPresent?: boolean }): void => {
      firstSessionPresent.set(client, connack.sessionPresent === true);
      cleanup();
      resolve(client);
    };
    const onError = (error: unknown): void => void (lastError = error);
    const onClose = (): void => fail(lastError ?? new ClosedBeforeConnack());
    function cleanup(): void {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    }
    function fail(error: unknown): void {
      cleanup();
      client.on('error', () => {}); // late errors from the abandoned client must not end the process
      client.end(true);
      reject(error);
    }
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** A PUBLISH MQTT.js handed over before the bus was constructed, with its handleMessage callback. */
export interface BufferedPublish {
  readonly packet: IPublishPacket;
  readonly callback: (error?: Error) => void;
}

/** Per client from connectOnce, the PUBLISHes that arrived before the bus took the client over. */
export const buffered = new WeakMap<MqttClient, BufferedPublish[]>();
/** Per client from connectOnce, CONNACK's Session Present flag. */
export const firstSessionPresent = new WeakMap<MqttClient, boolean>();


class ConnectTimeout extends Error {}
class ClosedBeforeConnack extends Error {}

/** The broker does not speak MQTT 5: it said so in CONNACK, or hung up on the CONNECT. */
export function refusedProtocolLevel(error: unknown): boolean {
  if (error instanceof ClosedBeforeConnack) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 1 || code === 0x84;
}

export function describeConnectError(error: unknown, target: string, timeoutMs: number): Error {
  if (error instanceof ConnectTimeout) {
    return new Error(`cannot reach MQTT broker at ${target}: no answer within ${timeoutMs} ms`);
  }
  if (error instanceof ClosedBeforeConnack) {
    return new Error(`cannot reach MQTT broker at ${target}: connection closed before CONNACK`);
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number') {
    const reason = message.replace(/^Connection refused: /, '');
    return Object.assign(new Error(`MQTT broker at ${target} refused the connection: ${reason}`, { cause: error }), { code });
  }
  const detail = typeof code === 'string' ? code : message;
  const wrapped = new Error(`cannot reach MQTT broker at ${target}: ${detail}`, { cause: error });
  return typeof code === 'string' ? Object.assign(wrapped, { code }) : wrapped;
}

/** The URL without user info, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
