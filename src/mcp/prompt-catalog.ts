/**
 * Prompts for the hub's everyday questions: a zone report over data.query, a fleet health check,
 * and a batch configuration change that goes through the confirm-first flow. Each is rendered with
 * the live fleet (zones, counts), so the model starts from what exists.
 */
import type { PromptArgument, PromptMessage } from '@modelcontextprotocol/sdk/types.js';
import type { HubServices } from '../app/services.ts';
import { fleetContext } from '../tools/fleet-context.ts';

/** A prompt: its MCP listing and how to render it for the current fleet. */
export interface PromptDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly arguments: readonly PromptArgument[];
  render(args: Readonly<Record<string, string>>, services: HubServices): string;
}

const user = (text: string): PromptMessage => ({ role: 'user', content: { type: 'text', text } });

/** The messages of prompts/get: one user message with the rendered instructions. */
export function promptMessages(prompt: PromptDefinition, args: Readonly<Record<string, string>>, services: HubServices): PromptMessage[] {
  return [user(prompt.render(args, services))];
}

function zonesLine(services: HubServices): string {
  const { zones } = fleetContext(services.registry);
  return zones.length > 0 ? `Zones known to the hub: ${zones.join(', ')}.` : 'The hub knows no zones yet.';
}

const greenhouseReport: PromptDefinition = {
  name: 'greenhouse_report',
  title: 'Zone report',
  description: 'Report on one zone over the past hours: average, min and max of each measurement, current values, devices offline (e.g. "average temperature in Zone A for the past 24 hours").',
  arguments: [
    { name: 'zone', description: 'Zone name, e.g. "Zone A"', required: true },
    { name: 'hours', description: 'How many hours back (default 24)', required: false },
  ],
  render(args, services) {
    const zone = args['zone'] ?? '';
    const hours = /^\d+$/.test(args['hours'] ?? '') ? Number(args['hours']) : 24;
    const interval = hours <= 6 ? '15m' : hours <= 72 ? '1h' : '1d';
    const known = fleetContext(services.registry).zones.some((z) => z.toLowerCase() === zone.toLowerCase());
    return [
      `Write a short report on ${zone} for the past ${hours} hours.`,
      known ? '' : `Note: "${zone}" is not a zone the hub knows right now. ${zonesLine(services)} Say so if nothing matches.`,
      'Steps:',
      `1. find_devices with {"zone": "${zone}"} to see the devices there and which are offline.`,
      `2. query_telemetry with {"where": {"zone": "${zone}"}, "last": "${hours}h", "interval": "${interval}"}: per measurement the average, min and max over the whole period (summary) and the trend per interval (buckets).`,
      `3. read_device with {"where": {"zone": "${zone}"}} for the current values.`,
      'Report each measurement with its unit (average, min, max, current, trend in one line), then list offline devices and anything out of the ordinary (gaps, sudden jumps, readings of bad quality).',
      'Only read: do not change any device.',
    ]
      .filter(Boolean)
      .join('\n');
  },
};

const fleetHealthCheck: PromptDefinition = {
  name: 'fleet_health_check',
  title: 'Fleet health check',
  description: 'Check every device: offline or silent devices, sensor health, stale readings, and what to do about them.',
  arguments: [],
  render(_args, services) {
    const devices = services.registry.list();
    const offline = devices.filter((d) => d.status === 'offline').length;
    return [
      `Run a health check of the fleet. Right now the hub has ${devices.length} active devices, ${offline} of them offline. ${zonesLine(services)}`,
      'Steps:',
      '1. find_devices with {"status": "offline"}: which devices are offline; describe_device on one tells since when (last_seen) and which MCU it hangs off.',
      '2. find_devices with {"type": "mcu", "status": "online"}, then run_command with {"device": …, "command": "get_status"} for each online MCU for memory, uptime, signal and errors.',
      '3. run_command with {"device": …, "command": "health"} for sensors you doubt: self-tests and error counts.',
      '4. read_device with {"where": {"type": "sensor"}, "max_age": 600} and compare with the device list: sensors with no reading in the last 10 minutes are silent.',
      'Summarize as a table (device, zone, problem, suggested action). Do not change anything: suggest actions, and leave any reboot or reconfiguration to the user.',
    ].join('\n');
  },
};

const batchConfigure: PromptDefinition = {
  name: 'batch_configure',
  title: 'Configure many devices at once',
  description: 'Apply one configuration change to every matching device (e.g. "configure all soil sensors to low-power mode"), with the user confirming the plan first.',
  arguments: [
    { name: 'devices', description: 'Which devices, in words or as a filter, e.g. "all soil sensors", "model BMP580 in Zone B"', required: true },
    { name: 'change', description: 'The change, e.g. "low-power mode", "oversampling 8x", "telemetry every 60 s"', required: true },
  ],
  render(args, services) {
    const context = fleetContext(services.registry);
    return [
      `Apply this change: "${args['change'] ?? ''}" to these devices: "${args['devices'] ?? ''}".`,
      `Models in the fleet: ${context.models.join(', ') || 'none'}. ${zonesLine(services)}`,
      'Steps:',
      '1. Turn the description into a device filter (type, model, zone, tag, measurement) and check it with find_devices: say how many devices match and which are offline.',
      '2. describe_device on one of them lists the settings it takes and their allowed values (e.g. {"power_mode": "low_power"} for a sensor, {"telemetry_interval_ms": 60000} for a board).',
      '3. Call configure_device once with {"where": {…}, "settings": {…}}. This changes devices, so the hub holds it for approval:',
      '   - your client may open the hub\'s approvals page for the user; once a logged-in person approves there, the result comes back directly; if they decline, nothing ran — stop there;',
      '   - or the result says approval_required with the plan and an approval_url: show the user the plan and the link; the action runs when a person approves it there. Do not call configure_device again for it.',
      '4. Report per device: succeeded, or failed with the reason (offline devices fail; they are not retried). The hub may refuse a value outside a device\'s safety envelope: report the rule it names. Never say an action ran before its result says so.',
    ].join('\n');
  },
};

/** Every prompt the hub offers, in prompts/list order. */
export const PROMPTS: readonly PromptDefinition[] = [greenhouseReport, fleetHealthCheck, batchConfigure];
