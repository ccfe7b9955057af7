/** Topics of the native LLM-IoT protocol: `llmiot/v1/{client_id}/up` and `llmiot/v1/{client_id}/down`. */

export const NATIVE_PREFIX = 'llmiot/v1';
/** Every device's uplink, for the hub's subscription. */
export const NATIVE_UP_FILTER = `${NATIVE_PREFIX}/+/up`;

export const upTopic = (clientId: string): string => `${NATIVE_PREFIX}/${clientId}/up`;
export const downTopic = (clientId: string): string => `${NATIVE_PREFIX}/${clientId}/down`;

/** The client id of an uplink topic, or undefined if the topic is not one. */
export function clientIdOfUpTopic(topic: string): string | undefined {
  if (!topic.startsWith(`${NATIVE_PREFIX}/`) || !topic.endsWith('/up')) return undefined;
  const id = topic.slice(NATIVE_PREFIX.length + 1, -3);
  return id.length > 0 && !id.includes('/') ? id : undefined;
}
