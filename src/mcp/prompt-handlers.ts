/** prompts/list, prompts/get and completion/complete (prompt arguments; device ids, zones and capabilities of resource templates). */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CompleteRequestSchema, ErrorCode, GetPromptRequestSchema, ListPromptsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { HubServices } from '../app/services.ts';
import { fleetContext } from '../tools/fleet-context.ts';
import { promptMessages, PROMPTS, type PromptDefinition } from './prompt-catalog.ts';
import { CAPABILITY_TEMPLATE, contextCandidates, ZONE_TEMPLATE } from './context-resources.ts';
import { DEVICE_TEMPLATE, TELEMETRY_TEMPLATE } from './resource-uris.ts';

/** MCP 2025-11-25 server/utilities/completion: at most 100 values per response. */
const MAX_COMPLETIONS = 100;

/** Register prompts/list, prompts/get and completion/complete on a session's server. */
export function registerPromptHandlers(server: Server, services: HubServices): void {
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: PROMPTS.map((p) => ({ name: p.name, title: p.title, description: p.description, arguments: [...p.arguments] })),
  }));

  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    const prompt = findPrompt(request.params.name);
    const args = request.params.arguments ?? {};
    const missing = prompt.arguments.filter((a) => a.required && !(args[a.name] ?? '').trim()).map((a) => a.name);
    // MCP 2025-11-25 server/prompts §Error Handling: missing required arguments are -32602.
    if (missing.length > 0) throw new McpError(ErrorCode.InvalidParams, `Missing required argument${missing.length > 1 ? 's' : ''} of ${prompt.name}: ${missing.join(', ')}`);
    return { description: prompt.description, messages: promptMessages(prompt, args, services) };
  });

  server.setRequestHandler(CompleteRequestSchema, (request) => {
    const { ref, argument } = request.params;
    let candidates: string[];
    if (ref.type === 'ref/prompt') {
      candidates = promptCandidates(findPrompt(ref.name), argument.name, services);
    } else if (ref.uri === DEVICE_TEMPLATE || ref.uri === TELEMETRY_TEMPLATE || ref.uri === ZONE_TEMPLATE || ref.uri === CAPABILITY_TEMPLATE) {
      // MCP 2025-11-25 server/utilities/completion: context.arguments holds the template's arguments already given (id for capability).
      candidates = contextCandidates(services, argument.name, request.params.context?.arguments);
    } else {
      throw new McpError(ErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
    }
    const typed = argument.value.toLowerCase();
    const matches = [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(typed));
    return { completion: { values: matches.slice(0, MAX_COMPLETIONS), total: matches.length, hasMore: matches.length > MAX_COMPLETIONS } };
  });
}

function findPrompt(name: string): PromptDefinition {
  const prompt = PROMPTS.find((p) => p.name === name);
  // MCP 2025-11-25 server/prompts §Error Handling: an invalid prompt name is -32602.
  if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  return prompt;
}

function promptCandidates(prompt: PromptDefinition, argument: string, services: HubServices): string[] {
  const context = fleetContext(services.registry);
  if (argument === 'zone') return context.zones;
  if (argument === 'hours') return ['1', '6', '12', '24', '48', '168'];
  if (argument === 'devices' && prompt.name === 'batch_configure') return [...context.models.map((m) => `all ${m}`), ...context.zones.map((z) => `everything in ${z}`)];
  return [];
}
