/**
 * LlmCommandRunner: llm.execute_command. One natural-language command becomes a bounded tool loop
 * (AI SDK generateText, non-streaming) over the hub's tools; the caller gets the answer and exactly
 * which tools ran with what outcome, and which writes wait for a person's approval.
 */
import { generateText, NoSuchToolError, stepCountIs, type StepResult, type ToolSet } from 'ai';
import type { HubConfig } from '../config/options.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';
import { errorObject, HubError } from '../core/errors.ts';
import type { Logger } from '../log/logger.ts';
import { fleetContext } from '../tools/fleet-context.ts';
import type { ToolCaller, ToolRunner } from '../tools/tool-runner.ts';
import { createLlmProvider } from './create-provider.ts';
import { hubToolSet } from './hub-tool-set.ts';
import type { LlmProvider, LlmProviderId } from './llm-provider.ts';
import { resolveLlmSettings } from './llm-settings.ts';
import { providerFailure } from './provider-error.ts';
import { systemPrompt } from './system-prompt.ts';
import { ToolJournal, type PendingApproval, type ToolCallRecord } from './tool-journal.ts';

export interface LlmCommandRunnerOptions {
  readonly config: Pick<HubConfig, 'llmProvider' | 'llmModel' | 'llmBaseUrl' | 'llmApiKey' | 'llmMaxSteps' | 'llmMaxRetries' | 'llmTimeoutMs'>;
  /** For the conventional ANTHROPIC_API_KEY / OPENAI_API_KEY fallback. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tools: ToolRunner;
  readonly registry: DeviceRegistry;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface CommandRequest {
  readonly command: string;
  /** Capped at --llm-max-steps. */
  readonly maxSteps?: number;
  /** Write and destructive tools are held for confirmation, never run. */
  readonly dryRun?: boolean;
}

export interface CommandResult {
  /** The model's answer; when it could not finish, says so and lists what was done. */
  readonly answer: string;
  readonly tool_calls: ToolCallRecord[];
  readonly pending_approvals: PendingApproval[];
  /** Model calls made. */
  readonly steps: number;
  /** True when the loop stopped at max_steps while the model still wanted tools. */
  readonly step_limit_reached: boolean;
  readonly dry_run: boolean;
  readonly finish_reason: string;
  readonly model: string;
  readonly provider: LlmProviderId;
  readonly usage: { input_tokens?: number; output_tokens?: number };
}

export class LlmCommandRunner {
  readonly #o: LlmCommandRunnerOptions;
  readonly #provider: LlmProvider | undefined;
  readonly #hint: string;

  /** Throws when the provider name or base URL is malformed (the hub refuses to start). */
  constructor(options: LlmCommandRunnerOptions) {
    this.#o = options;
    const resolved = resolveLlmSettings(options.config, options.env);
    if (resolved.configured) {
      this.#provider = createLlmProvider(resolved.settings);
      this.#hint = '';
      const { provider, model, baseUrl } = resolved.settings;
      options.logger.info({ provider, model, ...(baseUrl !== undefined && { baseUrl }) }, 'LLM provider configured');
    } else {
      this.#provider = undefined;
      this.#hint = resolved.hint;
      if (options.config.llmProvider !== undefined) options.logger.warn({ hint: resolved.hint }, 'LLM provider not usable');
    }
  }

  /** The configured provider, or undefined (llm.execute_command answers LLM_NOT_CONFIGURED). */
  get provider(): LlmProvider | undefined {
    return this.#provider;
  }

  async execute(request: CommandRequest, caller: ToolCaller): Promise<CommandResult> {
    const provider = this.#provider;
    if (provider === undefined) throw new HubError('LLM_NOT_CONFIGURED', `llm.execute_command unavailable: ${this.#hint}`);
    const { config, tools, registry, logger, now } = this.#o;
    const maxSteps = Math.max(1, Math.min(request.maxSteps ?? config.llmMaxSteps, config.llmMaxSteps));
    const dryRun = request.dryRun === true;
    const journal = new ToolJournal((id) => tools.approvals.url(id));
    let result: Awaited<ReturnType<typeof generateText<ToolSet>>>;
    try {
      result = await generateText({
        model: provider.languageModel,
        system: systemPrompt({ fleet: fleetContext(registry), policy: tools.policy, now: now(), dryRun }),
        prompt: request.command,
        tools: hubToolSet({ runner: tools, caller, dryRun, journal }),
        stopWhen: stepCountIs(maxSteps),
        maxRetries: config.llmMaxRetries,
        timeout: { stepMs: config.llmTimeoutMs },
        onStepFinish: (step) => {
          noteRejectedCalls(step, journal);
          journal.arrange(step.toolCalls.map((call) => call.toolCallId));
        },
      });
    } catch (error) {
      const failure = providerFailure(error, provider, journal, config.llmTimeoutMs);
      logger.warn({ err: error, principal: caller.principal, provider: provider.id, tool_calls: journal.size }, 'llm command failed');
      throw failure ?? error;
    }
    const steps = result.steps.length;
    const stepLimitReached = steps >= maxSteps && (result.steps.at(-1)?.toolCalls.length ?? 0) > 0;
    const text = result.text.trim();
    let answer = text;
    if (stepLimitReached) {
      answer = [text, `Stopped at the step limit (${maxSteps} model steps) before the model finished. Done so far: ${journal.summary()}.`].filter(Boolean).join('\n\n');
    } else if (text === '') {
      answer = `The model gave no answer (finish reason: ${result.finishReason}). Done: ${journal.summary()}.`;
    }
    const { inputTokens, outputTokens } = result.totalUsage;
    logger.info({ principal: caller.principal, provider: provider.id, steps, tool_calls: journal.size, step_limit_reached: stepLimitReached, dry_run: dryRun }, 'llm command finished');
    return {
      answer,
      tool_calls: journal.toolCalls(),
      pending_approvals: journal.pendingApprovals(),
      steps,
      step_limit_reached: stepLimitReached,
      dry_run: dryRun,
      finish_reason: result.finishReason,
      model: result.response.modelId || provider.model,
      provider: provider.id,
      usage: { ...(inputTokens !== undefined && { input_tokens: inputTokens }), ...(outputTokens !== undefined && { output_tokens: outputTokens }) },
    };
  }
}

/** Calls the SDK refused before execution (unknown tool, unparsable input): the model got an error, the caller sees it too. */
function noteRejectedCalls(step: StepResult<ToolSet>, journal: ToolJournal): void {
  for (const call of step.toolCalls) {
    if (!('invalid' in call) || call.invalid !== true || journal.has(call.toolCallId)) continue;
    const input = call.input !== null && typeof call.input === 'object' && !Array.isArray(call.input) ? (call.input as Record<string, unknown>) : { raw: String(call.input) };
    const message = call.error instanceof Error ? call.error.message : `invalid call of ${call.toolName}`;
    journal.rejected(call.toolCallId, call.toolName, input, errorObject(NoSuchToolError.isInstance(call.error) ? 'METHOD_NOT_FOUND' : 'INVALID_PARAMS', message));
  }
}
