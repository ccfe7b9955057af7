/** Build the configured LlmProvider adapter. */
import { anthropicProvider } from './anthropic-provider.ts';
import type { LlmProvider, LlmSettings } from './llm-provider.ts';
import { openaiCompatibleProvider } from './openai-compatible-provider.ts';
import { openaiProvider } from './openai-provider.ts';

export function createLlmProvider(settings: LlmSettings): LlmProvider {
  switch (settings.provider) {
    case 'anthropic':
      return anthropicProvider(settings);
    case 'openai':
      return openaiProvider(settings);
    case 'openai-compatible':
      return openaiCompatibleProvider(settings);
  }
}
