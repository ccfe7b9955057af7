/**
 * QoS1Admission: the embedded broker's "acknowledged means stored" for device QoS 1 PUBLISHes. A
 * PUBACK is written once every subscriber has the message and every hub handler holding it settled,
 * in the order the PUBLISHes arrived [MQTT-4.6.0-2]; a message not taken closes the connection.
 */
import type { Client, PublishPacket } from 'aedes';
import type { BusLogger } from './embedded-bus.ts';

/** The part of aedes' broker admission uses: its packet counter and its client publish path. */
export interface AdmissionBroker {
  /** aedes numbers packets with brokerCounter (monotonic per broker, used for dedupe). */
  counter: number;
  /** aedes' own client path (handlers/publish.js): passing the client stamps the packet's clientId. */
  publish(packet: PublishPacket, client: Client, done: (error?: Error) => void): void;
}

/** The part of an aedes client admission uses. */
export type AdmittedClient = Pick<Client, 'id' | 'connecting' | 'connected' | 'closed' | 'conn' | 'close'>;

/** A device's QoS 1 PUBLISH waiting for its PUBACK. */
interface Admission {
  readonly messageId: number;
  /** What the hub's handlers returned for it: acknowledged once all fulfilled, never if one rejects. */
  readonly holds: Promise<void>[];
  /** Every subscriber has it and every hold fulfilled. */
  settled: boolean;
}

/**
 * aedes 1.2 writes the PUBACK before it publishes, so the bus publishes the packet itself through
 * {@link admit} (aedes' own publish step is skipped by not completing the authorization) and writes
 * the PUBACK then. The client is told to read on at once, so a held PUBACK never stalls the
 * connection (flow control is the bus's setInboundPaused). A message not taken (store down, pipeline
 * full, hub stopping) is not acknowledged and the connection is closed: MQTT 3.1.1 has no negative
 * PUBACK, and the client resends unacknowledged PUBLISHes after it reconnects [MQTT-4.4.0-1].
 */
export class QoS1Admission {
  readonly #broker: AdmissionBroker;
  readonly #logger: BusLogger | undefined;
  /** Device QoS 1 publishes on their way to subscribers, by the brokerCounter admit() gave them. */
  readonly #admissions = new Map<number, Admission>();
  /** Per client, its QoS 1 publishes not acknowledged yet, in arrival order. */
  readonly #pendingAcks = new WeakMap<AdmittedClient, Admission[]>();

  constructor(broker: AdmissionBroker, logger?: BusLogger) {
    this.#broker = broker;
    this.#logger = logger;
  }

  /** QoS 1 messages on their way to the subscribers now (their holds are still being collected). */
  get publishing(): number {
    return this.#admissions.size;
  }

  /**
   * Publish a device's authorized QoS 1 PUBLISH to the subscribers and acknowledge it once taken.
   * `readOn` asks the client for its next packet (aedes' `_nextBatch`): called on the next turn.
   */
  admit(client: AdmittedClient, packet: PublishPacket, readOn: () => void): void {
    // Taking the next brokerCounter here lets the subscribers' deliver find this admission (hold()).
    const ticket = ++this.#broker.counter;
    (packet as { brokerCounter?: number }).brokerCounter = ticket;
    const admission: Admission = { messageId: packet.messageId ?? 0, holds: [], settled: false };
    this.#admissions.set(ticket, admission);
    let queue = this.#pendingAcks.get(client);
    if (queue === undefined) this.#pendingAcks.set(client, (queue = []));
    queue.push(admission);
    const notTaken = (): void => {
      this.#pendingAcks.delete(client);
      this.#logger?.debug({ clientId: client.id, messageId: admission.messageId }, 'QoS 1 message not taken; closing the connection so the client resends it');
      client.close();
    };
    this.#broker.publish(packet, client as Client, (error?: Error) => {
      // Every subscriber had it (its deliver ran), so every hold is in `holds` now.
      this.#admissions.delete(ticket);
      if (error) return notTaken();
      const taken = (): void => {
        admission.settled = true;
        acknowledgeInOrder(client, queue);
      };
      if (admission.holds.length === 0) taken();
      else Promise.all(admission.holds).then(taken, notTaken);
    });
    // Read on: the next packets are handled while this one waits for its commit.
    setImmediate(readOn);
  }

  /**
   * A subscriber's handler returned `held` for a delivered packet: the PUBACK waits for it. Returns
   * false when the packet is not an admitted QoS 1 PUBLISH (the hub's own, QoS 0, a will): nothing waits.
   */
  hold(packet: { readonly brokerCounter: number }, held: Promise<void>): boolean {
    const admission = this.#admissions.get(packet.brokerCounter);
    if (admission === undefined) return false;
    admission.holds.push(held);
    return true;
  }
}

/** PUBACK (MQTT 3.1.1 §3.4): fixed header 0x40, remaining length 2, the packet identifier. */
export function pubackBytes(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

/** Write the PUBACKs of the settled head of the client's queue, in arrival order [MQTT-4.6.0-2]. */
function acknowledgeInOrder(client: AdmittedClient, queue: Admission[]): void {
  while (queue.length > 0 && (queue[0] as Admission).settled) {
    const admission = queue.shift() as Admission;
    if (isOpen(client)) client.conn.write(pubackBytes(admission.messageId));
  }
}

/**
 * Whether the connection can still be written to. A closed one gets nothing: the client resends
 * after reconnecting. aedes counts a connection `connected` only once it has sent CONNACK *and* the
 * messages queued for the session; in between (`connecting`) it already reads and handles PUBLISHes,
 * and a client resends its unacknowledged ones as soon as CONNACK arrives [MQTT-4.4.0-1] (MQTT.js one
 * at a time, each after the previous PUBACK). A PUBACK due then must be written, as aedes writes its
 * own packets then (lib/write.js): dropping it stalled the client for good.
 */
function isOpen(client: AdmittedClient): boolean {
  return !client.closed && (client.connecting || client.connected);
}
