/**
 * Load one API resource for a page: the data, the error (an ApiError, e.g. 403 forbidden for a
 * role that may not see it) and a reload function. A newer load wins over an older one that
 * answers late.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from './client.js';

/** What {@link useApiData} returns. */
export interface ApiData<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** GET `path` now and whenever it changes (undefined: load nothing). */
export function useApiData<T>(path: string | undefined): ApiData<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(path !== undefined);
  const generation = useRef(0);

  const load = useCallback(() => {
    if (path === undefined) return;
    const mine = ++generation.current;
    setLoading(true);
    api<T>('GET', path).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof ApiError ? err : new ApiError({ status: 0, code: 'client', message: String(err) }));
        setData(undefined); // never keep showing data the server now refuses
        setLoading(false);
      },
    );
  }, [path]);

  useEffect(() => {
    load();
  }, [load]);

  return { data, error, loading, reload: load };
}
