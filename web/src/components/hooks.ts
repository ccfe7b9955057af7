// Small hooks the pages share: load data with a refresh, tick a clock for ages.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api/rpc-client.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  /**
   * Whether `data` / `error` answer the current `deps`. False from the render in which `deps` change
   * until their answer arrives (while the last data stays shown); a periodic refresh leaves it true.
   * Known in that very render, not after an effect, so a page never shows old data as current.
   */
  readonly current: boolean;
  reload(): void;
}

/** Run `load` when `deps` change (and every `refreshMs`, if given); keeps the last data while reloading. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [answered, setAnswered] = useState<readonly unknown[] | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
        setAnswered(deps);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(errorText(failure));
        setLoading(false);
        setAnswered(deps);
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  useEffect(() => {
    if (refreshMs === undefined) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);
  const current = answered !== undefined && answered.length === deps.length && answered.every((value, i) => Object.is(value, deps[i]));
  return { data, error, loading, current, reload };
}

/** The current time, updated every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** A value that changes only after `ms` without further changes (search boxes); see {@link useDebouncedInput} for whether one is pending. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * {@link useDebounced} for a form's inputs (a plain object or string): the settled value, and whether
 * the inputs have changed since (a query for them is still to come).
 */
export function useDebouncedInput<T>(value: T, ms = 300): { settled: T; pending: boolean } {
  const settled = useDebounced(value, ms);
  return { settled, pending: JSON.stringify(settled) !== JSON.stringify(value) };
}
