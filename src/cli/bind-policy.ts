/**
 * Secure defaults at start: with auth off the hub listens on loopback only. HTTP on another address
 * needs API credentials (or --auth required); the embedded broker on another address needs devices
 * to prove who they are (--device-auth credentials, its default there). --insecure overrides both and
 * is then warned about at every start. A `--public-url` on another name, an `--allowed-hosts` name
 * that is not loopback, or a `--trusted-proxy` each say a reverse proxy (or tunnel) brings the network
 * in: its requests come from loopback, so with auth off every caller through it would be the local
 * admin; that needs credentials too. A proxy none of them names (nginx `proxy_pass` alone, rewriting
 * the Host to 127.0.0.1:8080) cannot be told from a local caller, at start or per request.
 */
import type { HubConfig } from '../config/options.ts';
import { hostName, isLoopbackAddress, isLoopbackName } from '../auth/host-names.ts';
import type { DeviceAuthMode } from '../security/device-auth.ts';

/** What `llm-iot start` does about the bind addresses. */
export type BindDecision =
  | { readonly action: 'refuse'; readonly message: string }
  | { readonly action: 'warn'; readonly message: string }
  | { readonly action: 'info'; readonly message: string }
  | { readonly action: 'ok' };

const isLoopbackHost = (host: string): boolean => host === 'localhost' || isLoopbackAddress(host);
const listOf = (value: string | undefined): string[] => (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
/** An --allowed-hosts entry as a Host name, as RequestGuard reads it (`.example.com`: a name under it; `::1`: `[::1]`). */
const allowedHostName = (entry: string): string => hostName(entry.startsWith('.') ? `x${entry}` : entry.includes(':') && !entry.startsWith('[') ? `[${entry}]` : entry);

export const ENABLE_REMOTE =
  'llm-iot token create --role admin --name me   # then: llm-iot start --http-host 0.0.0.0 --mqtt-host 0.0.0.0 --enrollment-key <fleet key>';

/**
 * @param authOn API callers must present a credential.
 * @param deviceAuth how the embedded broker admits devices (`open` on an external broker: that broker decides).
 */
export function bindDecision(
  config: Pick<HubConfig, 'httpHost' | 'mqttHost' | 'mqttUrl' | 'insecure' | 'publicUrl' | 'allowedHosts' | 'trustedProxy'>,
  authOn: boolean,
  deviceAuth: DeviceAuthMode,
): BindDecision {
  const unprotected: string[] = [];
  if (!isLoopbackHost(config.httpHost) && !authOn) unprotected.push(`--http-host ${config.httpHost} with no API credentials`);
  const publicHost = config.publicUrl === undefined ? undefined : URL.parse(config.publicUrl)?.hostname;
  if (publicHost !== undefined && !isLoopbackName(publicHost) && !authOn) {
    // Behind a proxy on this machine every request arrives from loopback: the local admin's address.
    unprotected.push(`--public-url ${config.publicUrl ?? ''} (a reverse proxy's callers reach the hub from loopback) with no API credentials`);
  }
  // A Host that is not loopback, this machine or the bound address reaches a loopback-bound hub only
  // through something on this machine that forwards it: a proxy keeping the client's Host, a tunnel.
  const remoteNames = listOf(config.allowedHosts).filter((name) => !isLoopbackName(allowedHostName(name)));
  if (remoteNames.length > 0 && !authOn) {
    unprotected.push(`--allowed-hosts ${remoteNames.join(',')} (names a reverse proxy or tunnel brings in; its callers reach the hub from loopback) with no API credentials`);
  }
  if (listOf(config.trustedProxy).length > 0 && !authOn) {
    unprotected.push(`--trusted-proxy ${config.trustedProxy ?? ''} (a reverse proxy's request without X-Forwarded-For comes from loopback) with no API credentials`);
  }
  if (config.mqttUrl === undefined && !isLoopbackHost(config.mqttHost) && deviceAuth === 'open') {
    unprotected.push(`--mqtt-host ${config.mqttHost} with --device-auth open`);
  }
  if (unprotected.length === 0) {
    if (authOn || !isLoopbackHost(config.httpHost)) return { action: 'ok' };
    return { action: 'info', message: `no credentials: listening on loopback only, every local caller (and whatever a reverse proxy or tunnel on this machine forwards) is an admin. To allow remote access: ${ENABLE_REMOTE}` };
  }
  const where = unprotected.join(' and ');
  if (config.insecure) {
    return { action: 'warn', message: `INSECURE: ${where}: anyone who reaches this hub can act on it. Create credentials instead: ${ENABLE_REMOTE}` };
  }
  return {
    action: 'refuse',
    message: `llm-iot start: refusing to listen on ${where}: anyone on the network could reboot devices and read every reading. Create credentials first: ${ENABLE_REMOTE} (or pass --insecure on a network you trust)`,
  };
}
