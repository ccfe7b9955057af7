/**
 * Tools derived from the JSON-RPC method registry, one per method an LLM may call, with the live
 * fleet woven in: id, zone, model and measurement-type examples in the input schemas and a fleet
 * summary in the descriptions. Examples, not enums: a client that never refreshes its tool list
 * can still name a device that joined later.
 */
import { requiredRole, type MethodDefinition } from '../rpc/method.ts';
import type { MethodRegistry } from '../rpc/method-registry.ts';
import { describeFleet, type FleetContext } from './fleet-context.ts';
import { toolName, type JsonSchemaObject, type ToolDefinition } from './tool-definition.ts';

/** Methods that are for devices or long-lived connections, not for an LLM; `operator-only`: a person's
 * controls over the LLM itself (llm.execute_command, approval.*, grant.*, audit.*) — an LLM must never approve its own plan. */
const HIDDEN_TAGS = new Set(['device-side', 'stream', 'operator-only']);
const HIDDEN_METHODS = new Set(['rpc.discover']);

export function toolsFromMethods(methods: MethodRegistry, context: FleetContext): ToolDefinition[] {
  return methods
    .list()
    .filter((m) => !HIDDEN_METHODS.has(m.name) && !(m.tags ?? []).some((t) => HIDDEN_TAGS.has(t)))
    .map((m) => toTool(m, context));
}

function toTool(method: MethodDefinition, context: FleetContext): ToolDefinition {
  const input = plain(method.params) as JsonSchemaObject;
  const refersToDevices = withExamples(input, context);
  const output = plain(method.result) as { type?: unknown };
  const title = method.name
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  const description = [
    method.summary,
    method.description ?? '',
    method.kind === 'read' ? '' : `This ${method.kind === 'destructive' ? 'is a destructive action' : 'changes device state'}; the hub's policy may hold it for a person's approval or refuse it.`,
    refersToDevices ? describeFleet(context) : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    name: toolName(method.name),
    method: method.name,
    title,
    description,
    kind: method.kind,
    role: requiredRole(method),
    inputSchema: input,
    ...(output.type === 'object' && { outputSchema: output as JsonSchemaObject }),
    annotations: {
      title,
      readOnlyHint: method.kind === 'read',
      destructiveHint: method.kind === 'destructive',
      idempotentHint: method.kind === 'read',
      openWorldHint: false,
    },
  };
}

/** TypeBox schemas carry symbol keys; tools need plain JSON Schema. */
function plain(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** Add live examples to known properties (recursing into nested objects); true if the tool refers to devices. */
function withExamples(schema: Record<string, unknown>, context: FleetContext): boolean {
  const properties = schema['properties'] as Record<string, Record<string, unknown>> | undefined;
  if (!properties) return false;
  let refers = false;
  const ids = (type?: string): string[] => context.devices.filter((d) => type === undefined || d.type === type).slice(0, 8).map((d) => d.id);
  for (const [key, property] of Object.entries(properties)) {
    const set = (values: string[], asArray = false): void => {
      if (values.length === 0) return;
      property['examples'] = asArray ? [values.slice(0, 3)] : values.slice(0, 8);
    };
    if (key === 'mcu_id' || key === 'parent_id') {
      set(ids('mcu'));
      refers = true;
    } else if (key === 'sensor_id') {
      set(ids('sensor'));
      refers = true;
    } else if (key === 'device_id') {
      set(ids());
      refers = true;
    } else if (key === 'device_ids') {
      set(ids(), true);
      refers = true;
    } else if (key === 'zone') set(context.zones);
    else if (key === 'model') set(context.models);
    else if (key === 'measurement_type') set(context.measurementTypes);
    else if (key === 'measurement_types') set(context.measurementTypes, true);
    else if (key === 'tags') set(context.tags, true);
    if (property['type'] === 'object' && withExamples(property, context)) refers = true;
    if (key === 'filter') refers = true;
  }
  return refers;
}
