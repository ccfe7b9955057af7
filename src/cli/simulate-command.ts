/** `llm-iot simulate`: a fleet of simulated MCUs and sensors against a hub's MQTT broker, with a live progress line. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { IClientOptions } from 'mqtt';
import { ConfigError } from '../config/load-config.ts';
import { DEFAULT_GROUP_ID, DEFAULT_HOST_ID, formatProgress, runFleet, type DeviceProtocol, type FleetProtocolMix, type FleetSummary, type ProtocolTotals } from '../simulator/index.ts';

/** `llm-iot simulate --help`. */
export const SIMULATE_HELP = `Usage: llm-iot simulate [options]

  --url <mqtt-url>              broker the devices connect to, mqtt:// or mqtts:// (default mqtt://localhost:1883; env LLMIOT_SIM_URL)
  --ca <file>                   PEM CA certificate(s) to trust for mqtts:// (env LLMIOT_SIM_CA)
  --insecure                    mqtts:// without verifying the broker certificate (tests only)
  --enrollment-key <key>        every device logs in with username = its hardware id and this fleet key
                                (a hub started with --enrollment-key; env LLMIOT_ENROLLMENT_KEY)
  --credentials <file>          per-device logins: the JSON that \`llm-iot device credentials create\` prints,
                                one object per line or an array; wins over --enrollment-key for those devices
  --username <id> --password <secret>
                                one device's own login (the username is the hardware id, e.g. sim-esp32-s3-001)
  --devices <n>                 number of devices (default 3; env LLMIOT_SIM_DEVICES or DEVICE_COUNT)
  --protocol <mix>              native | dual | mixed, or a round-robin list such as native,dual,dual (default native;
                                env LLMIOT_SIM_PROTOCOL). dual = Sparkplug B + LwM2M on one MQTT connection
  --lwm2m-interval <s>          dual: seconds between LwM2M updates (default 3; env LWM2M_INTERVAL)
  --group-id <id>               dual: Sparkplug group id (default ${DEFAULT_GROUP_ID})
  --host-id <id>                dual: Sparkplug host whose online STATE gates NBIRTH (default ${DEFAULT_HOST_ID};
                                env LLMIOT_SPARKPLUG_HOST_ID); "none" births without waiting for a host
  --boards <list>               board mix, round-robin: esp32-s3,pico,nano33 (default all three)
  --zones <n>                   zones "Zone A", "Zone B", … assigned round-robin (default 2)
  --telemetry-interval <s>      seconds between telemetry messages per MCU (default 5; env TELEMETRY_INTERVAL)
  --heartbeat-interval <s>      seconds between heartbeats (default 30)
  --churn                       sensors attach and detach over time
  --duration <s>                stop after this many seconds (default: run until Ctrl-C)
  --seed <n>                    deterministic readings (default 1)
  --id-prefix <text>            hardware ids are {prefix}-{board}-{n} (default sim)
  --hub-timeout <s>             say so on stderr when no hub has answered any device after this long (default 5);
                                a run in which no hub ever answered exits with code 1
  -h, --help                    this text
`;

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

export async function simulateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      devices: { type: 'string' },
      boards: { type: 'string' },
      zones: { type: 'string' },
      'telemetry-interval': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      'lwm2m-interval': { type: 'string' },
      protocol: { type: 'string' },
      'group-id': { type: 'string' },
      'host-id': { type: 'string' },
      ca: { type: 'string' },
      insecure: { type: 'boolean' },
      'enrollment-key': { type: 'string' },
      credentials: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      churn: { type: 'boolean' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      'id-prefix': { type: 'string' },
      'hub-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SIMULATE_HELP);
    return 0;
  }
  const env = process.env;
  const url = values.url ?? env['LLMIOT_SIM_URL'] ?? 'mqtt://localhost:1883';
  const count = number(values.devices ?? env['LLMIOT_SIM_DEVICES'] ?? env['DEVICE_COUNT'], 'devices', 3);
  const telemetryS = number(values['telemetry-interval'] ?? env['TELEMETRY_INTERVAL'], 'telemetry-interval', 5);
  const heartbeatS = number(values['heartbeat-interval'], 'heartbeat-interval', 30);
  const lwm2mS = number(values['lwm2m-interval'] ?? env['LWM2M_INTERVAL'], 'lwm2m-interval', 3);
  const protocol = protocolMix(values.protocol ?? env['LLMIOT_SIM_PROTOCOL'] ?? 'native');
  const hostId = values['host-id'] ?? env['LLMIOT_SPARKPLUG_HOST_ID'] ?? DEFAULT_HOST_ID;
  const connectOptions = tlsOptions(values.ca ?? env['LLMIOT_SIM_CA'], values.insecure === true);
  const passwordFor = devicePasswords(values, env);
  const durationS = values.duration === undefined ? undefined : number(values.duration, 'duration', 0);
  const hubTimeoutS = number(values['hub-timeout'], 'hub-timeout', 5);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = process.stderr.isTTY === true;
  process.stderr.write(`simulating ${count} ${describeMix(protocol)} devices against ${url} (Ctrl-C to stop)\n`);
  let summary: FleetSummary;
  try {
    summary = await runFleet({
      url,
      count,
      protocol,
      ...(connectOptions === undefined ? {} : { connectOptions }),
      ...(passwordFor !== undefined && { passwordFor }),
      lwm2mIntervalMs: lwm2mS * 1000,
      groupId: values['group-id'] ?? DEFAULT_GROUP_ID,
      hostId: hostId === 'none' ? null : hostId,
      ...(values.boards !== undefined && { boards: values.boards.split(',').map((b) => b.trim()) }),
      zones: number(values.zones, 'zones', 2),
      telemetryIntervalMs: telemetryS * 1000,
      heartbeatIntervalMs: heartbeatS * 1000,
      churn: values.churn ?? false,
      seed: number(values.seed, 'seed', 1),
      ...(values['id-prefix'] !== undefined && { idPrefix: values['id-prefix'] }),
      ...(durationS !== undefined && { durationMs: durationS * 1000 }),
      signal: controller.signal,
      progressIntervalMs: tty ? 1000 : 5000,
      onProgress: (progress) => process.stderr.write(tty ? `\r\x1b[2K${formatProgress(progress)}` : `${formatProgress(progress)}\n`),
      noHubTimeoutMs: hubTimeoutS * 1000,
      onNoHub: () => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${noHubMessage(url, protocol, hostId, hubTimeoutS)}\n`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (tty) process.stderr.write('\n');
  const t = summary.totals;
  process.stdout.write(
    `${JSON.stringify(
      {
        duration_s: Math.round(summary.durationMs / 100) / 10,
        mcus: t.mcus,
        registered: t.registered,
        hub_answered: summary.hubAnswered,
        messages_sent: t.sent,
        messages_acknowledged: t.acknowledged,
        hub_responses: t.responses,
        telemetry_messages: t.telemetryMessages,
        readings: t.readings,
        commands_answered: t.commandsAnswered,
        errors: t.errors,
        messages_per_second: Math.round(summary.messagesPerSecond),
        per_protocol: Object.fromEntries(Object.entries(summary.perProtocol).map(([name, totals]) => [name, protocolReport(totals)])),
        failures: summary.failures,
      },
      null,
      2,
    )}\n`,
  );
  if (!summary.hubAnswered && t.mcus > 0) process.stderr.write(`llm-iot simulate: no hub answered any device on ${url} during the run\n`);
  return summary.failures.length > 0 || (!summary.hubAnswered && t.mcus > 0) ? 1 : 0;
}

/** What a user sees when the broker answers but no hub does: the URL, what was waited for, what to check. */
function noHubMessage(url: string, mix: FleetProtocolMix, hostId: string, seconds: number): string {
  const kinds = typeof mix === 'string' ? (mix === 'mixed' ? ['native', 'dual'] : [mix]) : [...new Set(mix)];
  const waited = [
    ...(kinds.includes('native') ? ['no answer to device.register (native)'] : []),
    ...(kinds.includes('dual') ? [`no LwM2M registration answer${hostId === 'none' ? '' : ` and no online Sparkplug STATE on spBv1.0/STATE/${hostId}`} (dual)`] : []),
  ];
  return [
    `llm-iot simulate: no hub is answering on ${url}: after ${seconds} s, ${waited.join('; ')}.`,
    '  Check that `llm-iot start` is running and uses this broker: its embedded broker on --mqtt-port (default 1883),',
    '  or the same external broker through --mqtt-url.',
    ...(kinds.includes('dual') && hostId !== 'none' ? [`  Dual devices wait for the hub's Sparkplug STATE: --host-id (${hostId}) must equal the hub's --sparkplug-host-id.`] : []),
    "  A hub under --device-auth credentials (its default unless it listens on loopback only) refuses devices that do not log in:",
    '  pass --enrollment-key, --credentials or --username/--password (docs/security.md); its log names each refusal.',
    '  The devices keep trying.',
  ].join('\n');
}

/** `native`, `dual`, `mixed`, or a comma-separated round-robin list of native/dual. */
function protocolMix(text: string): FleetProtocolMix {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  if (parts.length === 1 && (parts[0] === 'native' || parts[0] === 'dual' || parts[0] === 'mixed')) return parts[0];
  if (parts.every((p): p is DeviceProtocol => p === 'native' || p === 'dual')) return parts;
  throw new ConfigError(`--protocol must be native, dual, mixed or a list such as native,dual,dual, got "${text}"`);
}

function describeMix(mix: FleetProtocolMix): string {
  return typeof mix === 'string' ? mix : mix.join('/');
}

/** Who logs in with what (docs/security.md): own credentials first, then the fleet enrollment key. */
function devicePasswords(
  values: { 'enrollment-key'?: string | undefined; credentials?: string | undefined; username?: string | undefined; password?: string | undefined },
  env: NodeJS.ProcessEnv,
): ((hardwareId: string) => string | undefined) | undefined {
  const own = new Map<string, string>();
  if (values.credentials !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.credentials, 'utf8');
    } catch (error) {
      throw new ConfigError(`--credentials: cannot read ${values.credentials}: ${(error as Error).message}`);
    }
    for (const entry of parseCredentials(text, values.credentials)) own.set(entry.username, entry.password);
  }
  if ((values.username === undefined) !== (values.password === undefined)) throw new ConfigError('--username and --password go together');
  if (values.username !== undefined && values.password !== undefined) own.set(values.username, values.password);
  const key = values['enrollment-key'] ?? env['LLMIOT_ENROLLMENT_KEY'];
  if (own.size === 0 && (key === undefined || key === '')) return undefined;
  return (hardwareId) => own.get(hardwareId) ?? (key === '' ? undefined : key);
}

function parseCredentials(text: string, file: string): { username: string; password: string }[] {
  const trimmed = text.trim();
  let entries: unknown[];
  try {
    entries = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : trimmed.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  } catch (error) {
    throw new ConfigError(`--credentials: ${file} is not JSON: ${(error as Error).message}`);
  }
  return entries.map((entry) => {
    const e = entry as { username?: unknown; password?: unknown };
    if (typeof e.username !== 'string' || typeof e.password !== 'string') throw new ConfigError(`--credentials: ${file}: each entry needs "username" and "password"`);
    return { username: e.username, password: e.password };
  });
}

/** TLS settings for mqtts:// (mqtt.js passes them to tls.connect). */
function tlsOptions(caFile: string | undefined, insecure: boolean): IClientOptions | undefined {
  if (caFile === undefined && !insecure) return undefined;
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile);
    } catch (error) {
      throw new ConfigError(`--ca: cannot read ${caFile}: ${(error as Error).message}`);
    }
  }
  return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: !insecure };
}

function protocolReport(totals: ProtocolTotals): Record<string, number> {
  return {
    devices: totals.devices,
    active: totals.active,
    messages_sent: totals.sent,
    messages_acknowledged: totals.acknowledged,
    telemetry_messages: totals.telemetryMessages,
    commands_answered: totals.commandsAnswered,
    commands_failed: totals.commandsFailed,
  };
}
