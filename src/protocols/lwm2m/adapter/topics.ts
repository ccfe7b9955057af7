// Topics of LwM2M over MQTT: `lwm2m/{endpoint}/reg|update|dereg|up/resp|up/notify` up (and the seed's
// `lwm2m/{endpoint}/resp/…` answers), `lwm2m/{endpoint}/dn` down.

/** Root of every LwM2M topic (the EMQX gateway's default mountpoint `lwm2m/${endpoint_name}/`). */
export const LWM2M_PREFIX = 'lwm2m';

/** What a device publishes, by the last topic levels. */
export const UPLINK_KINDS = ['reg', 'update', 'dereg', 'resp', 'notify'] as const;
export type UplinkKind = (typeof UPLINK_KINDS)[number];

/**
 * The hub's subscriptions. Not `lwm2m/#`: that would also deliver the hub's own `dn` publishes back to it.
 */
export const LWM2M_UPLINK_FILTERS: readonly string[] = [
  `${LWM2M_PREFIX}/+/reg`,
  `${LWM2M_PREFIX}/+/update`,
  `${LWM2M_PREFIX}/+/dereg`,
  `${LWM2M_PREFIX}/+/up/+`,
  // Seed 002 (shared/seeds/002_139d5ad678545706.txt) answers on `lwm2m/{device_id}/resp/*`.
  `${LWM2M_PREFIX}/+/resp/#`,
];

export const registerTopic = (endpoint: string): string => `${LWM2M_PREFIX}/${endpoint}/reg`;
export const updateTopic = (endpoint: string): string => `${LWM2M_PREFIX}/${endpoint}/update`;
export const deregisterTopic = (endpoint: string): string => `${LWM2M_PREFIX}/${endpoint}/dereg`;
export const responseTopic = (endpoint: string): string => `${LWM2M_PREFIX}/${endpoint}/up/resp`;
export const notifyTopic = (endpoint: string): string => `${LWM2M_PREFIX}/${endpoint}/up/notify`;
/** Hub → device: operations and registration acknowledgements. */
export const downlinkTopic = (endpoint: string): string => `${LWM2M_PREFIX}/${endpoint}/dn`;

/** The endpoint and kind of an uplink topic, or undefined for any other topic. */
export function parseUplinkTopic(topic: string): { readonly endpoint: string; readonly kind: UplinkKind } | undefined {
  const levels = topic.split('/');
  if (levels[0] !== LWM2M_PREFIX) return undefined;
  const endpoint = levels[1];
  if (endpoint === undefined || endpoint === '') return undefined;
  const rest = levels.slice(2).join('/');
  switch (rest) {
    case 'reg':
    case 'update':
    case 'dereg':
      return { endpoint, kind: rest };
    case 'up/resp':
      return { endpoint, kind: 'resp' };
    case 'up/notify':
      return { endpoint, kind: 'notify' };
    default:
      // `resp` and `resp/{anything}` (the seed's answer topics): the reqID in the payload says what they answer.
      return levels[2] === 'resp' && levels.slice(3).every((level) => level !== '') ? { endpoint, kind: 'resp' } : undefined;
  }
}
