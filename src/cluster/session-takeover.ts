/**
 * Session takeover: the instance that now owns sessions of an unshared protocol (Sparkplug edge
 * nodes) holds their live messages, lets the protocol re-establish them (Sparkplug: a rebirth), raises
 * the replay floors of all their devices in one query, replays what the other instances kept of
 * each (what the previous owner cannot have stored), then lets the held live messages through.
 */
import type { Logger } from '../log/logger.ts';
import type { ReplayedMessage } from '../protocols/protocol-plugin.ts';
import type { OwnedBus } from './owned-bus.ts';
import type { ReplayFloors } from './replay-floors.ts';
import type { SessionWindow } from './session-window.ts';

/** What a protocol does when one of its sessions moves to (adopt) or away from (release) this instance. */
export interface SessionHooks {
  readonly adopt?: (key: string, lastTopic: string) => void;
  readonly release?: (key: string) => void;
  readonly replay?: (key: string, messages: readonly ReplayedMessage[]) => void;
}

export interface TakeoverParts {
  readonly protocol: string;
  readonly bus: Pick<OwnedBus, 'hold'>;
  readonly window: Pick<SessionWindow, 'take'>;
  readonly hooks: SessionHooks;
  readonly floors: Pick<ReplayFloors, 'raise' | 'dropped'>;
  /** The device ids of a session key: its device and everything attached below it. */
  readonly devicesOf: (key: string) => readonly string[];
  readonly logger: Logger;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Take `sessions` (key, last topic seen) over; never rejects (failures are logged, held messages always released). */
export async function takeOverSessions(parts: TakeoverParts, sessions: readonly (readonly [key: string, lastTopic: string])[]): Promise<void> {
  const { protocol, hooks, logger } = parts;
  const releases = sessions.map(([key]) => parts.bus.hold(key));
  try {
    const windows: { key: string; messages: readonly ReplayedMessage[] }[] = [];
    for (const [key, lastTopic] of sessions) {
      try {
        hooks.adopt?.(key, lastTopic);
      } catch (error) {
        logger.error({ protocol, key, err: message(error) }, 'cluster: session not re-established');
      }
      const messages = parts.window.take(key);
      if (messages.length > 0) windows.push({ key, messages });
    }
    if (windows.length === 0 || hooks.replay === undefined) return;
    try {
      // One query for every session taken over (a dead instance's nodes all move at once).
      await parts.floors.raise(windows.flatMap(({ key }) => parts.devicesOf(key)));
    } catch (error) {
      // Without floors a replay would store again what was stored: skip it (the rebirth follows anyway).
      logger.warn({ protocol, keys: windows.map(({ key }) => key), err: message(error) }, 'cluster: stored points not read; session window not replayed');
      return;
    }
    for (const { key, messages } of windows) {
      const before = parts.floors.dropped;
      try {
        hooks.replay(key, messages);
      } catch (error) {
        logger.error({ protocol, key, err: message(error) }, 'cluster: session window replay failed');
        continue;
      }
      logger.info({ protocol, key, messages: messages.length, storedAlready: parts.floors.dropped - before }, 'cluster: session window replayed');
    }
  } finally {
    for (const release of releases) release();
  }
}
