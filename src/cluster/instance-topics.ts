/**
 * Topics hub instances use to talk to each other on the broker (never to devices): each instance
 * subscribes, unshared, to its own `llmiot/hub/{instance}/#`; telemetry fan-out goes to every instance.
 */

export const HUB_PREFIX = 'llmiot/hub';

/** A device message the broker gave to a non-owner, passed on to the owner of its session. */
export const relayTopic = (instance: string, protocol: string): string => `${HUB_PREFIX}/${instance}/relay/${protocol}`;
/** A command for a device whose session another instance owns (Sparkplug node, LwM2M endpoint). */
export const deliverTopic = (instance: string): string => `${HUB_PREFIX}/${instance}/deliver`;
/** A device's answer to a command another instance waits for. */
export const answerTopic = (instance: string): string => `${HUB_PREFIX}/${instance}/answer`;
/** Everything addressed to one instance. */
export const instanceFilter = (instance: string): string => `${HUB_PREFIX}/${instance}/#`;
/** Telemetry one instance ingested, for the live subscriptions of the others. */
export const FANOUT_TOPIC = `${HUB_PREFIX}-fanout/telemetry`;

/** An instance id must be one topic level. */
export function assertInstanceId(instance: string): void {
  if (instance === '' || /[/+#\u0000]/.test(instance)) {
    throw new Error(`cluster: the instance id (MQTT client id) must be one topic level without / + # : "${instance}"`);
  }
}

/** Relay envelope: 2-byte topic length, the topic (UTF-8), then the device's payload as it came. */
export function encodeRelay(topic: string, payload: Buffer): Buffer {
  const name = Buffer.from(topic, 'utf8');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(name.length, 0);
  return Buffer.concat([head, name, payload]);
}

export function decodeRelay(envelope: Buffer): { topic: string; payload: Buffer } | undefined {
  if (envelope.length < 2) return undefined;
  const length = envelope.readUInt16BE(0);
  if (envelope.length < 2 + length) return undefined;
  return { topic: envelope.subarray(2, 2 + length).toString('utf8'), payload: envelope.subarray(2 + length) };
}
