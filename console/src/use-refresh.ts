/**
 * A page's data, loaded at once and again every few seconds while the page is open (and
 * again on demand after a change); the last error is kept to be shown.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';

/** What a refreshing load gives a page. */
export interface Refreshing<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

/** Loads with `load` now and every `everyMs` ms; `deps` restart it. */
export function useRefresh<T>(
  load: () => Promise<T>,
  everyMs: number,
  deps: unknown[] = [],
): Refreshing<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (value) => live && (setData(value), setError(undefined)),
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void run();
    const timer = setInterval(() => void run(), everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tick, ...deps]);
  return { data, error, reload };
}
