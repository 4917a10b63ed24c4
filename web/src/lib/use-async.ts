/**
 * Loads data for a page: { data, error, loading, reload }. Stale answers are ignored. While the
 * server cannot be reached the load counts as still loading (the outage banner says why, instead of
 * an error in every card) and runs again by itself once the server is back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isUnreachable, messageOf } from './api';
import { onRecovered } from './connectivity';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const waiting = useRef(false);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine !== generation.current) return;
      waiting.current = false;
      setData(value);
      setError(null);
      setLoading(false);
    } catch (err) {
      if (mine !== generation.current) return;
      if (isUnreachable(err)) {
        waiting.current = true;
        return;
      }
      waiting.current = false;
      setError(messageOf(err));
      setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(
    () =>
      onRecovered(() => {
        if (waiting.current) void reload();
      }),
    [reload],
  );

  return { data, error, loading, reload };
}
