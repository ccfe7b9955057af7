/** Hub→device MCU commands: status, configuration, reboot, program upload and scripts. */
import { createHash } from 'node:crypto';
import type { CommandContext } from './command-context.ts';
import { optionalNumber, optionalString, optionalStringArray, requiredObject, requiredString } from './command-params.ts';
import { runScript } from './script-runner.ts';
import type { JsonObject } from './sensor-model.ts';

/** Flash the firmware itself occupies; an uploaded program must fit in the rest. */
const FIRMWARE_FRACTION = 0.45;

/** `mcu.get_status` → the MCU dynamic state document. */
export function getStatus(ctx: CommandContext): JsonObject {
  return ctx.status();
}

/** `mcu.get_config {keys?}` → `{config}` (only the requested keys that exist). */
export function getConfig(ctx: CommandContext, params: JsonObject): JsonObject {
  const keys = optionalStringArray(params, 'keys');
  const config: Record<string, unknown> = { ...ctx.config() };
  if (keys === undefined) return { config };
  return { config: Object.fromEntries(keys.filter((key) => key in config).map((key) => [key, config[key]])) };
}

/** `mcu.set_config {config}` → `{config, applied, changed, requires_reboot}`. */
export function setConfig(ctx: CommandContext, params: JsonObject): JsonObject {
  const change = ctx.setConfig(requiredObject(params, 'config'));
  return { config: { ...change.config }, applied: true, changed: [...change.changed], requires_reboot: change.requiresReboot };
}

/** `mcu.reboot {delay_ms?}` → `{rebooting: true}`; the MCU drops off and comes back after `delay_ms` (default 1000). */
export function reboot(ctx: CommandContext, params: JsonObject): JsonObject {
  const delayMs = optionalNumber(params, 'delay_ms', 0, 600_000) ?? 1000;
  ctx.scheduleReboot(delayMs);
  return { rebooting: true, delay_ms: delayMs };
}

/**
 * `mcu.upload_program {program, language?, version?, checksum?}` → `{accepted, version}`; refuses a bad SHA-256
 * or a program too big for flash. Like an OTA update, the program runs from the next `mcu.reboot`.
 */
export function uploadProgram(ctx: CommandContext, params: JsonObject): JsonObject {
  const program = requiredString(params, 'program');
  const language = optionalString(params, 'language') ?? ctx.board.scriptLanguages[0] ?? 'arduino';
  const checksum = optionalString(params, 'checksum');
  const sha256 = createHash('sha256').update(program).digest('hex');
  const current = ctx.program()?.version ?? ctx.board.firmwareVersion;
  if (checksum !== undefined && checksum.toLowerCase().replace(/^sha256:/, '') !== sha256) {
    return { accepted: false, version: current, reason: `checksum mismatch: program hashes to sha256:${sha256}` };
  }
  const sizeBytes = Buffer.byteLength(program);
  const room = Math.floor(ctx.board.flashTotal * (1 - FIRMWARE_FRACTION));
  if (sizeBytes > room) return { accepted: false, version: current, reason: `program too large: ${sizeBytes} bytes, ${room} free` };
  const version = optionalString(params, 'version') ?? `sha-${sha256.slice(0, 8)}`;
  ctx.installProgram({ version, language, sizeBytes, sha256, installedAt: new Date(ctx.now()).toISOString() });
  return { accepted: true, version, size_bytes: sizeBytes, sha256, applies_on_reboot: true };
}

/** `mcu.execute_script {script, language?, timeout_ms?}` → `{output, exit_code}`, or error -32000 with the traceback. */
export function executeScript(ctx: CommandContext, params: JsonObject, hardwareId: string): JsonObject {
  const script = requiredString(params, 'script');
  optionalNumber(params, 'timeout_ms', 1, 600_000);
  const result = runScript(
    {
      boardLabel: ctx.board.label,
      languages: ctx.board.scriptLanguages,
      uname: ctx.board.uname,
      hardwareId,
      freeHeap: () => ctx.freeHeap(),
      cpuFrequencyHz: () => ctx.cpuFrequencyHz(),
      uptimeMs: () => ctx.uptimeMs(),
      i2cAddresses: () => ctx.sensors().filter((s) => s.bus === 'i2c').map((s) => parseInt(s.address, 16)).sort((a, b) => a - b),
    },
    script,
    optionalString(params, 'language'),
  );
  return { ...result };
}

