/** LlmProvider: the model llm.execute_command drives, whatever company or server is behind it. */
import type { LanguageModel } from 'ai';

/** The providers the hub can talk to (`--llm-provider`). */
export const LLM_PROVIDER_IDS = ['anthropic', 'openai', 'openai-compatible'] as const;
export type LlmProviderId = (typeof LLM_PROVIDER_IDS)[number];

/** What a provider adapter gets from the configuration (already validated by resolveLlmSettings). */
export interface LlmSettings {
  readonly provider: LlmProviderId;
  readonly model: string;
  /** Required for openai-compatible; otherwise the vendor's default endpoint. */
  readonly baseUrl?: string;
  readonly apiKey?: string;
}

/** A configured model. The tool loop only needs the AI SDK language model; id and model name are reported to the caller. */
export interface LlmProvider {
  readonly id: LlmProviderId;
  readonly model: string;
  readonly languageModel: LanguageModel;
}
