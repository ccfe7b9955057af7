/** One readable line for a hub that cannot start (store unreachable, bad policy file, …), instead of a stack trace. */
import type { HubConfig } from '../config/options.ts';
import { HubError } from '../core/errors.ts';

/** `llm-iot start: <what failed> — <what to check>`, with passwords of URLs replaced by ***. */
export function describeStartFailure(error: unknown, config: Pick<HubConfig, 'store' | 'dataDir'>): string {
  const message = redactUrls(`${errorText(error)}${emptyReason(error)}`);
  if (error instanceof HubError && error.code === 'STORE_ERROR') {
    const check = /^postgres(ql)?:\/\//i.test(config.store.trim())
      ? 'check that PostgreSQL is running at that host and port and accepts this user, password and database (--store, LLMIOT_STORE)'
      : config.store === 'memory'
        ? 'check the --store setting (sqlite, memory or a postgres:// URL)'
        : `check that ${config.dataDir} is a writable directory (--data-dir) and that no other hub holds its database`;
    return `llm-iot start: ${message} — ${check}`;
  }
  return `llm-iot start: cannot start the hub: ${message}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A refused connection to `localhost` is an AggregateError (one per address tried) with an empty message: name the causes. */
function emptyReason(error: unknown): string {
  if (!(error instanceof Error) || !/:\s*$/.test(error.message)) return '';
  const cause = error.cause;
  if (cause instanceof AggregateError) {
    const reasons = [...new Set(cause.errors.map(errorText))].filter((r) => r !== '');
    if (reasons.length > 0) return ` ${reasons.join('; ')}`;
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` ${code}` : '';
}

/** `scheme://user:secret@host` → `scheme://user:***@host` anywhere in a text. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:@/\s]+):[^@/\s]+@/gi, '$1:***@');
}
