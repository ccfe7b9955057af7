/** The hub under fuzz: in-memory MQTT bus (same adapters as a socket broker), the in-memory SQLite store, HTTP on port 0, a logger that keeps errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenHttp, type HttpListener } from '../../src/api/http-server.ts';
import type { MessageHandler, QoS } from '../../src/core/ports/mqtt-bus.ts';
import type { HubConfig } from '../../src/config/options.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import type { Logger, LogFn } from '../../src/log/logger.ts';
import { MemoryMqttBus } from '../../src/mqtt/memory-bus.ts';

/** An error the hub logged, or a bus handler that threw: each is a finding. */
export interface HubProblem {
  readonly kind: 'error-log' | 'handler-threw';
  readonly detail: string;
}

/**
 * The in-memory bus with every hub handler watched: the embedded broker and this bus both catch a
 * handler's throw, so without this a protocol adapter failing on input would go unnoticed.
 */
class WatchedBus extends MemoryMqttBus {
  readonly #onThrow: (filter: string, error: unknown) => void;

  constructor(onThrow: (filter: string, error: unknown) => void) {
    super();
    this.#onThrow = onThrow;
  }

  override subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS } = {}): Promise<() => Promise<void>> {
    return super.subscribe(
      filter,
      (topic, payload, meta) => {
        try {
          handler(topic, payload, meta);
        } catch (error) {
          this.#onThrow(filter, error);
          throw error;
        }
      },
      options,
    );
  }
}

/** A logger that keeps error lines (messages and error text) as problems and counts warnings by message; the rest is dropped. */
function problemLogger(onError: (detail: string) => void, onWarn: (message: string) => void): Logger {
  const nothing: LogFn = () => {};
  const warn: LogFn = (fields: object | string, message?: string) => onWarn(typeof fields === 'string' ? fields : (message ?? ''));
  const error: LogFn = (fields: object | string, message?: string) => {
    if (typeof fields === 'string') return onError(fields);
    const err = (fields as { err?: unknown }).err;
    const text = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}` : err === undefined ? JSON.stringify(fields).slice(0, 300) : String(err);
    onError(`${message ?? ''}: ${text}`);
  };
  return { debug: nothing, info: nothing, warn, error };
}

export interface FuzzHub {
  readonly hub: Hub;
  readonly bus: MemoryMqttBus;
  readonly httpUrl: string;
  /** Warning lines the hub logged, by message (not failures: refusals are warned about by design). */
  readonly warnings: Map<string, number>;
  /** Problems since the last {@link FuzzHub.takeProblems}. */
  takeProblems(): HubProblem[];
  close(): Promise<void>;
}

/** Start a hub for fuzzing (`config` overrides, e.g. a low connection cap). Short command timeout, so commands to silent fuzz devices end well within the hang deadline. */
export async function startFuzzHub(config: Partial<HubConfig> = {}): Promise<FuzzHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-fuzz-'));
  let problems: HubProblem[] = [];
  const keep = (problem: HubProblem): void => {
    if (problems.length < 1000) problems.push(problem);
  };
  const bus = new WatchedBus((filter, error) => keep({ kind: 'handler-threw', detail: `${filter}: ${error instanceof Error ? error.stack ?? error.message : String(error)}` }));
  const warnings = new Map<string, number>();
  const logger = problemLogger(
    (detail) => keep({ kind: 'error-log', detail }),
    (message) => warnings.set(message, (warnings.get(message) ?? 0) + 1),
  );
  const hub = await createHub(
    { store: 'memory', dataDir, logLevel: 'silent', commandTimeout: 2000, telemetryFlushMs: 20, sparkplugHostId: 'llmiot-fuzz-host', ...config },
    { logger, bus },
  );
  const http: HttpListener = await listenHttp(hub.http, { port: 0, host: '127.0.0.1' });
  return {
    hub,
    bus,
    httpUrl: http.url,
    warnings,
    takeProblems: () => {
      const out = problems;
      problems = [];
      return out;
    },
    async close() {
      await hub.goingOffline();
      await http.close();
      await hub.close();
      await bus.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
