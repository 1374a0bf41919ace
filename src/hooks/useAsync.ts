import { useEffect, useState } from 'react';

export interface AsyncState<T> {
  value: T | undefined;
  loading: boolean;
  error: Error | undefined;
}

/**
 * Runs `load` whenever `key` changes and tracks loading and error; a stale answer (the key changed while
 * it was in flight) is dropped. `key` undefined means "nothing to load" (e.g. no model chosen yet).
 */
export function useAsync<T>(key: string | undefined, load: () => Promise<T>): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ value: undefined, loading: key !== undefined, error: undefined });
  useEffect(() => {
    if (key === undefined) {
      setState({ value: undefined, loading: false, error: undefined });
      return;
    }
    let current = true;
    setState((s) => ({ value: s.value, loading: true, error: undefined }));
    load().then(
      (value) => current && setState({ value, loading: false, error: undefined }),
      (error: unknown) =>
        current && setState({ value: undefined, loading: false, error: error instanceof Error ? error : new Error(String(error)) })
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure on every render; `key` says when its inputs changed
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
