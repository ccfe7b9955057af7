/** mcu.* methods: forwarded to the MCU over its protocol, answered by the device or timed out. */
import { Type, type TProperties } from '@sinclair/typebox';
import { defineMethod, type MethodDefinition, type MethodKind } from '../rpc/method.ts';
import { DeviceRef, JsonObjectSchema } from '../rpc/wire.ts';
import { AsyncAccepted, CommandOptions, compact, runCommand } from './command-runner.ts';
import { resolveTyped, type HubServices } from './services.ts';

interface McuCommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly kind: MethodKind;
  readonly params: TProperties;
  readonly result: string;
}

const SPECS: readonly McuCommandSpec[] = [
  {
    name: 'mcu.get_status',
    summary: 'Live status of an MCU: uptime, CPU, free heap, RSSI, connected devices (asks the device).',
    kind: 'read',
    params: {},
    result: 'the MCU dynamic state document',
  },
  {
    name: 'mcu.get_config',
    summary: "Read an MCU's configuration (all keys, or only `keys`).",
    kind: 'read',
    params: { keys: Type.Optional(Type.Array(Type.String())) },
    result: '{config}',
  },
  {
    name: 'mcu.set_config',
    summary: "Change an MCU's configuration keys (e.g. telemetry_interval_ms, power_mode).",
    kind: 'write',
    params: { config: JsonObjectSchema },
    result: '{config, applied}',
  },
  {
    name: 'mcu.reboot',
    summary: 'Reboot an MCU, optionally after delay_ms. The device drops offline and re-registers.',
    kind: 'destructive',
    params: { delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })) },
    result: '{rebooting}',
  },
  {
    name: 'mcu.upload_program',
    summary: 'Upload a program / firmware image or script bundle to an MCU.',
    kind: 'destructive',
    params: {
      program: Type.String({ minLength: 1, description: 'source text or base64 image' }),
      language: Type.Optional(Type.String({ description: 'e.g. micropython, arduino, firmware' })),
      version: Type.Optional(Type.String()),
      checksum: Type.Optional(Type.String({ description: 'sha256 hex of the program' })),
    },
    result: '{accepted, version}',
  },
  {
    name: 'mcu.execute_script',
    summary: 'Run a short script on an MCU and return its output.',
    kind: 'destructive',
    params: {
      script: Type.String({ minLength: 1 }),
      language: Type.Optional(Type.String({ description: 'e.g. micropython, lua' })),
    },
    result: '{output, exit_code}',
  },
];

export function mcuMethods(services: HubServices): MethodDefinition[] {
  return SPECS.map((spec) =>
    defineMethod({
      name: spec.name,
      summary: spec.summary,
      description: `Forwarded to the MCU; the result is the device's answer (${spec.result}), or {command_id, state} with async: true.`,
      kind: spec.kind,
      tags: ['mcu', 'command'],
      params: Type.Object({ mcu_id: DeviceRef, ...spec.params, ...CommandOptions }),
      result: Type.Union([JsonObjectSchema, AsyncAccepted]),
      async handler(params, context) {
        const { mcu_id, timeout_ms, async, ...rest } = params as Record<string, unknown> & { mcu_id: string; timeout_ms?: number; async?: boolean };
        const mcu = resolveTyped(services, mcu_id, ['mcu'], 'mcu_id');
        const result = await runCommand(services, mcu, spec.name, compact(rest), { timeout_ms, async }, context);
        return (result ?? {}) as Record<string, unknown>;
      },
    }),
  );
}
