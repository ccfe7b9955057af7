/**
 * Which LLM llm.execute_command uses, from the hub configuration. API key precedence:
 * --llm-api-key > LLMIOT_LLM_API_KEY > config file `llmApiKey` (all three are `config.llmApiKey`,
 * layered by loadConfig) > the vendor's conventional variable (ANTHROPIC_API_KEY, OPENAI_API_KEY).
 */
import type { HubConfig } from '../config/options.ts';
import { LLM_PROVIDER_IDS, type LlmProviderId, type LlmSettings } from './llm-provider.ts';

export type LlmConfig = Pick<HubConfig, 'llmProvider' | 'llmModel' | 'llmBaseUrl' | 'llmApiKey'>;

/** Either settings a provider can be built from, or what is missing, in words naming flags and variables. */
export type ResolvedLlm = { readonly configured: true; readonly settings: LlmSettings } | { readonly configured: false; readonly hint: string };

/** Models used when --llm-model is not given; an OpenAI-compatible server has no sensible default. */
export const DEFAULT_MODELS: Readonly<Partial<Record<LlmProviderId, string>>> = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-4.1' };

/** The vendors' own key variables, read only when no --llm-api-key / LLMIOT_LLM_API_KEY is set. */
export const CONVENTIONAL_KEY_VARIABLES: Readonly<Partial<Record<LlmProviderId, string>>> = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY' };

export const NOT_CONFIGURED_HINT =
  'no LLM provider is configured: start the hub with --llm-provider anthropic|openai|openai-compatible (LLMIOT_LLM_PROVIDER) ' +
  'and --llm-model <id> (LLMIOT_LLM_MODEL); anthropic and openai need --llm-api-key <key> (LLMIOT_LLM_API_KEY) or ANTHROPIC_API_KEY / OPENAI_API_KEY; ' +
  'openai-compatible servers (Ollama, llama.cpp, vLLM) need --llm-base-url <url> (LLMIOT_LLM_BASE_URL), e.g. http://127.0.0.1:11434/v1';

const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/**
 * Resolve the LLM settings. A misspelt provider or a malformed base URL throws (the hub refuses to
 * start); an incomplete configuration is "not configured" with a hint, so the rest of the hub runs.
 */
export function resolveLlmSettings(config: LlmConfig, env: Readonly<Record<string, string | undefined>>): ResolvedLlm {
  const name = given(config.llmProvider);
  if (name === undefined) return { configured: false, hint: NOT_CONFIGURED_HINT };
  if (!(LLM_PROVIDER_IDS as readonly string[]).includes(name)) {
    throw new Error(`--llm-provider must be ${LLM_PROVIDER_IDS.join(', ')}; got "${name}"`);
  }
  const provider = name as LlmProviderId;
  const baseUrl = given(config.llmBaseUrl);
  if (baseUrl !== undefined && !/^https?:$/.test(URL.canParse(baseUrl) ? new URL(baseUrl).protocol : '')) {
    throw new Error(`--llm-base-url must be an http:// or https:// URL; got "${baseUrl}"`);
  }
  const model = given(config.llmModel) ?? DEFAULT_MODELS[provider];
  const keyVariable = CONVENTIONAL_KEY_VARIABLES[provider];
  const apiKey = given(config.llmApiKey) ?? (keyVariable === undefined ? undefined : given(env[keyVariable]));
  const missing: string[] = [];
  if (model === undefined) missing.push('--llm-model <id> (LLMIOT_LLM_MODEL), e.g. qwen2.5 on Ollama');
  if (provider === 'openai-compatible' && baseUrl === undefined) {
    missing.push('--llm-base-url <url> (LLMIOT_LLM_BASE_URL), e.g. http://127.0.0.1:11434/v1 for Ollama or http://127.0.0.1:8080/v1 for llama.cpp');
  }
  if (keyVariable !== undefined && apiKey === undefined) missing.push(`--llm-api-key <key> (LLMIOT_LLM_API_KEY) or ${keyVariable}`);
  if (model === undefined || missing.length > 0) {
    return { configured: false, hint: `the ${provider} LLM provider is not fully configured: set ${missing.join('; ')}` };
  }
  return {
    configured: true,
    settings: { provider, model, ...(baseUrl !== undefined && { baseUrl }), ...(apiKey !== undefined && { apiKey }) },
  };
}
