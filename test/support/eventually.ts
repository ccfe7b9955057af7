/** eventually: a poll with a deadline, for states no event announces (used where a test cannot subscribe to the change). */

/**
 * Poll until `check` returns a truthy value (or throw after `timeoutMs`). The default deadline is
 * generous on purpose: it costs nothing when the condition holds, and a loaded CI machine (every test
 * file at once on two cores) may need seconds for a hub round trip and a store commit.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Wait for `event` (a promise some listener settles), or throw after `timeoutMs`: the deadline of an
 * event wait, never a pause. `what` may be a function, to say what had happened by then.
 */
export async function within<T>(event: Promise<T>, timeoutMs: number, what: string | (() => string)): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`)), timeoutMs);
  });
  try {
    return await Promise.race([event, expired]);
  } finally {
    clearTimeout(timer);
  }
}
