/**
 * PubackQueue: "acknowledged means stored" on an mqtt.js connection. A QoS 1 message whose handlers
 * hold it is acknowledged once they settle, in arrival order [MQTT-4.6.0-2], by writing the PUBACK
 * ourselves; a message not taken ends the connection, so the broker sends it again on the session it
 * kept (MQTT 5.0 §4.4; 3.1.1 §4.4).
 */
import type { IPublishPacket, MqttClient } from 'mqtt';

/** A QoS 1 message waiting for its PUBACK. */
interface PendingAck {
  readonly messageId: number;
  settled: boolean;
}

/** Given to MQTT.js' handleMessage callback so it sends no PUBACK of its own (the queue writes it). */
const HELD = new Error('PUBACK held until the message is stored');

/** PUBACK with Remaining Length 2: 3.1.1 §3.4, and MQTT 5.0 §3.4.2.1 (reason Success and no properties omitted). */
function pubackBytes(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

export class PubackQueue {
  readonly #client: MqttClient;
  readonly #onNotTaken: (messageId: number) => void;
  /** This connection's QoS 1 messages not acknowledged yet, in arrival order; a new array per connection. */
  #pending: PendingAck[] = [];
  /** Set once a not-taken message made this connection end (so it is ended once). */
  #dropping = false;

  /** `onNotTaken`: logged before the connection is ended for a message not taken. */
  constructor(client: MqttClient, onNotTaken: (messageId: number) => void) {
    this.#client = client;
    this.#onNotTaken = onNotTaken;
  }

  /** The connection closed: acknowledgements still due belong to it (the broker sends those messages again). */
  reset(): void {
    this.#pending = [];
    this.#dropping = false;
  }

  /**
   * MQTT.js' handleMessage for a PUBLISH with the holds its handlers returned. MQTT.js would send the
   * PUBACK on `callback()` but handles the next packet only after it, so the hub would take one
   * message per commit; instead the callback is given an error (MQTT.js then sends no PUBACK and
   * reads on) and the queue writes the PUBACK itself, if the connection is still the same one.
   */
  acknowledge(packet: IPublishPacket, holds: Promise<void>[] | undefined, callback: (error?: Error) => void): void {
    if (packet.qos !== 1 || holds === undefined) {
      callback();
      return;
    }
    const pending: PendingAck = { messageId: packet.messageId ?? 0, settled: false };
    const queue = this.#pending;
    queue.push(pending);
    const settle = (taken: boolean): void => {
      if (queue !== this.#pending) return; // that connection is gone
      if (!taken) {
        this.#notTaken(pending.messageId);
        return;
      }
      pending.settled = true;
      while (queue.length > 0 && (queue[0] as PendingAck).settled) {
        const head = queue.shift() as PendingAck;
        if (this.#client.connected) this.#client.stream.write(pubackBytes(head.messageId));
      }
    };
    Promise.all(holds).then(() => settle(true), () => settle(false));
    callback(HELD);
  }

  /** A held message was not taken: end this connection (once) so the broker sends it again after the reconnection. */
  #notTaken(messageId: number): void {
    if (this.#dropping) return;
    this.#dropping = true;
    this.#pending = [];
    this.#onNotTaken(messageId);
    this.#client.stream.destroy();
  }
}
