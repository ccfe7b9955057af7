import type { FuzzEntry } from '../entry.ts';
export const mcpEntry: FuzzEntry = { name: 'mcp', concurrency: 1, async open() { throw new Error('todo'); } };
