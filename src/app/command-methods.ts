/** command.get / command.list: the record of every server→device command. */
import { Type } from '@sinclair/typebox';
import { COMMAND_STATES } from '../core/command.ts';
import { HubError } from '../core/errors.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { commandToWire, CommandWire, DeviceRef, Timestamp, timestampParam } from '../rpc/wire.ts';
import { resolveDevice, type HubServices } from './services.ts';

export function commandMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'command.get',
      summary: 'One recorded command: target, params, state (pending/sent/succeeded/failed/timed_out), result and times.',
      kind: 'read',
      tags: ['command'],
      params: Type.Object({
        command_id: Type.String({ minLength: 1 }),
        wait: Type.Optional(Type.Boolean({ description: 'true: wait until the command has finished' })),
      }),
      result: CommandWire,
      async handler(params) {
        const record = params.wait
          ? await services.executor.wait(params.command_id)
          : await services.registryStore.getCommand(params.command_id);
        if (!record) throw new HubError('COMMAND_NOT_FOUND', `command not found: ${params.command_id}`, { command_id: params.command_id });
        return commandToWire(record);
      },
    }),
    defineMethod({
      name: 'command.list',
      summary: 'Recorded commands, newest first, filtered by device, state, method and time.',
      kind: 'read',
      tags: ['command'],
      params: Type.Object({
        device_id: Type.Optional(DeviceRef),
        state: Type.Optional(Type.Union(COMMAND_STATES.map((s) => Type.Literal(s)))),
        method: Type.Optional(Type.String()),
        since: Type.Optional(Timestamp),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }),
      result: Type.Object({ commands: Type.Array(CommandWire) }),
      async handler(params) {
        const since = params.since === undefined ? undefined : timestampParam(params.since, '/since');
        const records = await services.registryStore.listCommands({
          ...(params.device_id !== undefined && { deviceId: resolveDevice(services, params.device_id).id }),
          ...(params.state !== undefined && { state: params.state }),
          ...(params.method !== undefined && { method: params.method }),
          ...(since !== undefined && { since }),
          limit: params.limit ?? 100,
        });
        return { commands: records.map(commandToWire) };
      },
    }),
  ];
}
