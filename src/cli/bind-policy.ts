/**
 * Secure defaults at start: with auth off the hub listens on loopback only; another address needs
 * credentials (or --auth required), or --insecure, which is then warned about at every start.
 */
import type { HubConfig } from '../config/options.ts';
import { isLoopbackAddress } from '../auth/host-names.ts';

/** What `llm-iot start` does about the bind addresses. */
export type BindDecision =
  | { readonly action: 'refuse'; readonly message: string }
  | { readonly action: 'warn'; readonly message: string }
  | { readonly action: 'info'; readonly message: string }
  | { readonly action: 'ok' };

const isLoopbackHost = (host: string): boolean => host === 'localhost' || isLoopbackAddress(host);

export const ENABLE_REMOTE = 'llm-iot token create --role admin --name me   # then: llm-iot start --http-host 0.0.0.0 --mqtt-host 0.0.0.0';

export function bindDecision(config: Pick<HubConfig, 'httpHost' | 'mqttHost' | 'mqttUrl' | 'insecure'>, authOn: boolean): BindDecision {
  const hosts = [['--http-host', config.httpHost]];
  if (config.mqttUrl === undefined) hosts.push(['--mqtt-host', config.mqttHost]);
  const remote = hosts.filter(([, host]) => !isLoopbackHost(host ?? ''));
  if (authOn) return { action: 'ok' };
  if (remote.length === 0) {
    return { action: 'info', message: `no credentials: listening on loopback only, every local caller is an admin. To allow remote access: ${ENABLE_REMOTE}` };
  }
  const where = remote.map(([flag, host]) => `${flag} ${host}`).join(' and ');
  if (config.insecure) {
    return { action: 'warn', message: `INSECURE: ${where} with no credentials: anyone who reaches this hub is an admin. Create a token instead: ${ENABLE_REMOTE}` };
  }
  return {
    action: 'refuse',
    message: `llm-iot start: refusing to listen on ${where} with no credentials: anyone on the network could reboot devices and read every reading. Create a credential first: ${ENABLE_REMOTE} (or pass --insecure on a network you trust)`,
  };
}
