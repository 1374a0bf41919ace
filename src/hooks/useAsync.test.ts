import { act, renderHook, waitFor } from '@testing-library/react';
import { useAsync } from './useAsync';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useAsync', () => {
  it('is loading until the answer comes, then holds it', async () => {
    const d = deferred<string[]>();
    const { result } = renderHook(() => useAsync('models', () => d.promise));
    expect(result.current).toEqual({ value: undefined, loading: true, error: undefined });
    await act(async () => d.resolve(['demo']));
    expect(result.current).toEqual({ value: ['demo'], loading: false, error: undefined });
  });

  it('holds the error when loading fails', async () => {
    const { result } = renderHook(() => useAsync('models', () => Promise.reject(new Error('HTTP 401'))));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.error?.message).toBe('HTTP 401');
    expect(result.current.value).toBeUndefined();
  });

  it('loads nothing without a key, and drops an answer that arrives after the key changed', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const loads: Record<string, Promise<string>> = { a: first.promise, b: second.promise };
    const { result, rerender } = renderHook(({ key }: { key?: string }) => useAsync(key, () => loads[key!]), { initialProps: { key: undefined as string | undefined } });
    expect(result.current.loading).toBe(false);
    rerender({ key: 'a' });
    rerender({ key: 'b' });
    await act(async () => second.resolve('from b'));
    await act(async () => first.resolve('from a (stale)'));
    expect(result.current.value).toBe('from b');
  });
});
