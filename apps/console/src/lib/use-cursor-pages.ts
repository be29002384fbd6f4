import { useCallback, useState } from 'react';

/**
 * Forward-only Relay cursors with a way back: keeps the `after` cursor of every page visited.
 * `reset()` when the filter changes.
 */
export function useCursorPages() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1] ?? null;
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setStack((s) => [...s, endCursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { after, page: stack.length, hasPrevious: stack.length > 1, next, previous, reset };
}
