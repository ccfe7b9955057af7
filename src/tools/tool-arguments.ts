/** A verb tool's arguments checked against its input schema (unknown keys, types, ranges) before they are routed. */
import { Ajv, type ValidateFunction } from 'ajv';
import { HubError } from '../core/errors.ts';
import type { ToolDefinition } from './tool-definition.ts';

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
const compiled = new WeakMap<ToolDefinition, ValidateFunction>();

/** Throws INVALID_PARAMS with `data.issues` (path and reason per field) when the arguments do not fit. */
export function checkToolArguments(tool: ToolDefinition, args: Record<string, unknown>): void {
  let validate = compiled.get(tool);
  if (validate === undefined) {
    validate = ajv.compile(tool.inputSchema);
    compiled.set(tool, validate);
  }
  if (validate(args)) return;
  const issues = (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}` : '';
    const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
    return { path: `${e.instancePath}${extra}`, message: `${e.keyword === 'additionalProperties' ? 'is not an argument of this tool' : (e.message ?? 'is invalid')}${allowed}` };
  });
  const text = issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ');
  throw new HubError('INVALID_PARAMS', `Invalid params: ${tool.name}: ${text}`, { issues });
}
