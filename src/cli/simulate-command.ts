/** `llm-iot simulate`: a fleet of simulated MCUs and sensors against a hub's MQTT broker, with a live progress line. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load-config.ts';
import { formatProgress, runFleet, type FleetSummary } from '../simulator/index.ts';

const HELP = `Usage: llm-iot simulate [options]

  --url <mqtt-url>              broker the devices connect to (default mqtt://localhost:1883; env LLMIOT_SIM_URL)
  --devices <n>                 number of MCUs (default 3; env LLMIOT_SIM_DEVICES or DEVICE_COUNT)
  --boards <list>               board mix, round-robin: esp32-s3,pico,nano33 (default all three)
  --zones <n>                   zones "Zone A", "Zone B", … assigned round-robin (default 2)
  --telemetry-interval <s>      seconds between telemetry messages per MCU (default 5; env TELEMETRY_INTERVAL)
  --heartbeat-interval <s>      seconds between heartbeats (default 30)
  --churn                       sensors attach and detach over time
  --duration <s>                stop after this many seconds (default: run until Ctrl-C)
  --seed <n>                    deterministic readings (default 1)
  --id-prefix <text>            hardware ids are {prefix}-{board}-{n} (default sim)
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
      churn: { type: 'boolean' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      'id-prefix': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = process.env;
  const url = values.url ?? env['LLMIOT_SIM_URL'] ?? 'mqtt://localhost:1883';
  const count = number(values.devices ?? env['LLMIOT_SIM_DEVICES'] ?? env['DEVICE_COUNT'], 'devices', 3);
  const telemetryS = number(values['telemetry-interval'] ?? env['TELEMETRY_INTERVAL'], 'telemetry-interval', 5);
  const heartbeatS = number(values['heartbeat-interval'], 'heartbeat-interval', 30);
  const durationS = values.duration === undefined ? undefined : number(values.duration, 'duration', 0);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = process.stderr.isTTY === true;
  process.stderr.write(`simulating ${count} MCUs against ${url} (Ctrl-C to stop)\n`);
  let summary: FleetSummary;
  try {
    summary = await runFleet({
      url,
      count,
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
        messages_sent: t.sent,
        messages_acknowledged: t.acknowledged,
        hub_responses: t.responses,
        telemetry_messages: t.telemetryMessages,
        readings: t.readings,
        commands_answered: t.commandsAnswered,
        errors: t.errors,
        messages_per_second: Math.round(summary.messagesPerSecond),
        failures: summary.failures,
      },
      null,
      2,
    )}\n`,
  );
  return summary.failures.length > 0 ? 1 : 0;
}
