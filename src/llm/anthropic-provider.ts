/** The Anthropic adapter (Messages API through @ai-sdk/anthropic). */
import { createAnthropic } from '@ai-sdk/anthropic';
import type { LlmProvider, LlmSettings } from './llm-provider.ts';

export function anthropicProvider(settings: LlmSettings): LlmProvider {
  const anthropic = createAnthropic({
    ...(settings.apiKey !== undefined && { apiKey: settings.apiKey }),
    ...(settings.baseUrl !== undefined && { baseURL: settings.baseUrl }),
  });
  return { id: 'anthropic', model: settings.model, languageModel: anthropic(settings.model) };
}
