/** Server→device commands: every one is recorded with its lifecycle. */
import type { JsonObject } from './device.ts';

export const COMMAND_STATES = ['pending', 'sent', 'succeeded', 'failed', 'timed_out'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

/** Who asked for a command: an API client, an LLM tool loop, a batch, the hub itself. */
export interface CommandOrigin {
  readonly transport: 'http' | 'websocket' | 'mqtt' | 'mcp' | 'llm' | 'internal';
  readonly principal?: string;
  /** The audit chain of the LLM tool call that sent it (audit.chain). */
  readonly chain?: string;
}

export interface CommandRecord {
  readonly id: string;
  /** Device the command is about (a sensor's commands travel through its MCU). */
  readonly deviceId: string;
  /** Device-side JSON-RPC method, e.g. "mcu.reboot", "sensor.read". */
  readonly method: string;
  readonly params: JsonObject;
  readonly state: CommandState;
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data?: unknown };
  readonly origin: CommandOrigin;
  readonly createdAt: number;
  readonly sentAt?: number;
  readonly completedAt?: number;
  readonly timeoutMs: number;
}

export function isTerminal(state: CommandState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'timed_out';
}
