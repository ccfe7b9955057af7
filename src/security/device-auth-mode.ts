/** Which device-auth mode a hub runs in: the configured one, else `credentials` unless every device port is on loopback. */
import type { DeviceAuthMode } from './device-auth.ts';

/** The settings the default depends on (a subset of HubConfig). */
export interface DeviceAuthSettings {
  readonly deviceAuth: DeviceAuthMode | undefined;
  readonly mqttHost: string;
  readonly httpHost: string;
}

/**
 * `--device-auth` when set. Otherwise `credentials` whenever the embedded broker can be reached from
 * another host: its TCP/TLS listeners (`--mqtt-host`) or MQTT over WebSocket on the HTTP port
 * (`--http-host`); `open` when both are loopback (labs, tests).
 */
export function resolveDeviceAuthMode(settings: DeviceAuthSettings): DeviceAuthMode {
  if (settings.deviceAuth !== undefined) return settings.deviceAuth;
  return isLoopback(settings.mqttHost) && isLoopback(settings.httpHost) ? 'open' : 'credentials';
}

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
