import type { FuzzEntry } from '../entry.ts';
export const sparkplugEntry: FuzzEntry = { name: 'sparkplug', concurrency: 1, async open() { throw new Error('todo'); } };
