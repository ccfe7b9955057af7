/** LLM commands: provider adapters and the tool loop of llm.execute_command. */
export { LlmCommandRunner } from './command-runner.ts';
export type { CommandRequest, CommandResult, LlmCommandRunnerOptions } from './command-runner.ts';
export { createLlmProvider } from './create-provider.ts';
export { LLM_PROVIDER_IDS } from './llm-provider.ts';
export type { LlmProvider, LlmProviderId, LlmSettings } from './llm-provider.ts';
export { CONVENTIONAL_KEY_VARIABLES, DEFAULT_MODELS, NOT_CONFIGURED_HINT, resolveLlmSettings } from './llm-settings.ts';
export type { LlmConfig, ResolvedLlm } from './llm-settings.ts';
export type { PendingApproval, ToolCallRecord } from './tool-journal.ts';
