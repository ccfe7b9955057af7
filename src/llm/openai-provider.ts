/** The OpenAI adapter (Responses API through @ai-sdk/openai). */
import { createOpenAI } from '@ai-sdk/openai';
import type { LlmProvider, LlmSettings } from './llm-provider.ts';

export function openaiProvider(settings: LlmSettings): LlmProvider {
  const openai = createOpenAI({
    ...(settings.apiKey !== undefined && { apiKey: settings.apiKey }),
    ...(settings.baseUrl !== undefined && { baseURL: settings.baseUrl }),
  });
  return { id: 'openai', model: settings.model, languageModel: openai(settings.model) };
}
