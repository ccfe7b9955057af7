/**
 * Check a tool call against the envelopes before it is held for approval or run: a person is never
 * asked to approve a write the envelopes would refuse, and a batch over its device cap is refused
 * whole. Nothing is counted toward rate limits here; the executor counts what it sends. Interlocks
 * read what the executor will read (clustered, the shared store too).
 */
import type { Device, JsonObject } from '../core/device.ts';
import type { MethodRegistry } from '../rpc/method-registry.ts';
import type { EnvelopeGuard } from './envelope-guard.ts';

export async function previewCall(guard: EnvelopeGuard, methods: MethodRegistry, method: string, args: Record<string, unknown>, targets: readonly Device[]): Promise<void> {
  if (method === 'batch.execute') {
    const inner = args['method'];
    if (typeof inner !== 'string') return;
    const params = (args['params'] ?? {}) as JsonObject;
    guard.admitBatch(inner, targets);
    for (const device of targets) await guard.judge(device, inner, params, false);
    return;
  }
  const definition = methods.get(method);
  // Only methods that send a command to their target device (sensor.configure, mcu.set_config, …).
  if (definition === undefined || !(definition.tags ?? []).includes('command')) return;
  for (const device of targets) await guard.judge(device, method, args as JsonObject, false);
}
