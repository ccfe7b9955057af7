// Which hub methods travel as LwM2M operations, and how a device's answer becomes the method's result.
import type { CommandRecord } from '../../../core/command.ts';
import type { JsonObject } from '../../../core/device.ts';
import { parseCoreLinks } from '../core-link.ts';
import { contentToJson, jsonValue } from './content-values.ts';
import type { Lwm2mOperationType } from './downlink-request.ts';
import type { Answer } from './operation-answer.ts';

/** `lwm2m.*` methods and the operation each sends. */
export const LWM2M_METHOD_OPERATIONS: Readonly<Record<string, Lwm2mOperationType>> = {
  'lwm2m.read': 'read',
  'lwm2m.discover': 'discover',
  'lwm2m.write': 'write',
  'lwm2m.write_attributes': 'write-attr',
  'lwm2m.execute': 'execute',
  'lwm2m.create': 'create',
  'lwm2m.delete': 'delete',
  'lwm2m.observe': 'observe',
  'lwm2m.cancel_observe': 'cancel-observe',
};

/** MCU methods carried over LwM2M besides the generic ones (generic-methods.ts), while the device is registered. */
export const ROUTED_MCU_METHODS: readonly string[] = ['mcu.upload_program'];

/** /3/0/4 Reboot (Core TS 1.2 App. E.4). */
export const REBOOT_PATH = '/3/0/4';
/** The Device object instance, read for `mcu.get_status`. */
export const DEVICE_PATH = '/3/0';

/** What a command sends: one operation, or the firmware update flow. */
export type CommandPlan = { readonly kind: 'operation'; readonly msgType: Lwm2mOperationType; readonly params: JsonObject } | { readonly kind: 'firmware' };

/** The plan for a `lwm2m.*` or `mcu.upload_program` command, or undefined for any other method (the generic ones run in generic-methods.ts). */
export function planFor(command: Pick<CommandRecord, 'method' | 'params'>): CommandPlan | undefined {
  const operation = LWM2M_METHOD_OPERATIONS[command.method];
  if (operation !== undefined) return { kind: 'operation', msgType: operation, params: command.params };
  return command.method === 'mcu.upload_program' ? { kind: 'firmware' } : undefined;
}

/**
 * The result of a 2.xx answer: `{path, code, code_msg}` plus, by operation, `content` and `value`
 * (read, observe: typed values; `value` when the path is one resource), `links` (discover), `location`
 * (create).
 * @throws Lwm2mRegistrationError when discover links are not CoRE Link Format.
 */
export function operationResult(msgType: Lwm2mOperationType, path: string, answer: Extract<Answer, { ok: true }>): JsonObject {
  const result: JsonObject = { path, code: answer.code, code_msg: answer.codeMsg };
  if (msgType === 'read' || msgType === 'observe') {
    result['content'] = contentToJson(answer.content);
    const own = answer.content.filter((entry) => entry.path === path);
    if (own.length === 1 && own[0] !== undefined) result['value'] = jsonValue(own[0].value);
  }
  if (msgType === 'discover') {
    result['links'] = answer.links.length === 0 ? [] : parseCoreLinks(answer.links.join(','), 'content').map((link) => ({ path: link.target, attributes: link.params }));
  }
  if (msgType === 'create') {
    const location = answer.message.location ?? answer.content[0]?.path;
    if (location !== undefined) result['location'] = location;
  }
  return result;
}
