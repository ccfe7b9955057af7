/**
 * The adapter for OpenAI-compatible servers (Ollama, llama.cpp `llama-server --jinja`, vLLM, LM Studio):
 * non-streaming Chat Completions (`POST {base}/chat/completions`) — Ollama drops streamed tool calls
 * on that endpoint (ollama#9632).
 *
 * Built on @ai-sdk/openai's chat model, not @ai-sdk/openai-compatible: the installed
 * @ai-sdk/openai-compatible 3.x implements provider spec v4 (ai@7, Node ≥ 22), which ai@6 rejects
 * (UnsupportedModelVersionError); its Node-20 line is 2.0.x. See docs/llm.md.
 */
import { createOpenAI } from '@ai-sdk/openai';
import type { LlmProvider, LlmSettings } from './llm-provider.ts';

export function openaiCompatibleProvider(settings: LlmSettings): LlmProvider {
  const server = createOpenAI({
    name: 'openai-compatible',
    // Local servers usually need no key; an empty bearer is ignored by them.
    apiKey: settings.apiKey ?? '',
    ...(settings.baseUrl !== undefined && { baseURL: settings.baseUrl }),
  });
  return { id: 'openai-compatible', model: settings.model, languageModel: server.chat(settings.model) };
}
