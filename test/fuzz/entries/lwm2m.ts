import type { FuzzEntry } from '../entry.ts';
export const lwm2mEntry: FuzzEntry = { name: 'lwm2m', concurrency: 1, async open() { throw new Error('todo'); } };
