/** ProtocolAdapter: translates one device protocol between the wire and the hub's device port (DeviceIngress). */

export interface ProtocolAdapter {
  /** "native", "sparkplug", "lwm2m". */
  readonly name: string;
  /** Subscribe to the protocol's topics; resolves once subscriptions are acknowledged. */
  start(): Promise<void>;
  /** Unsubscribe and release timers; in-flight work is abandoned (commands fail through the executor). */
  stop(): Promise<void>;
}
