/** The protocol plug-ins this hub is built with, in command-routing order, and the options table they complete. */
import { CORE_OPTIONS, type OptionSpec } from './config/options.ts';
import type { ProtocolPlugin } from './protocols/protocol-plugin.ts';
import { nativeProtocol } from './protocols/native/plugin.ts';
import { lwm2mProtocol } from './protocols/lwm2m/plugin.ts';
import { sparkplugProtocol } from './protocols/sparkplug/plugin.ts';

/**
 * Routing order: the executor carries a command over the first protocol whose channel supports it for
 * the device — native, then LwM2M (device management), then Sparkplug (metric writes).
 */
export const PROTOCOLS: readonly ProtocolPlugin[] = [nativeProtocol, lwm2mProtocol, sparkplugProtocol];

/** Every option: the hub's own, then each protocol's. One table for flags, env, config file, --help and the README. */
export const OPTIONS: readonly OptionSpec[] = [...CORE_OPTIONS, ...PROTOCOLS.flatMap((p) => p.options)];
