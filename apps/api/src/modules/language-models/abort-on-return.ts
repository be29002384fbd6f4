/**
 * `source` as an async iterator whose `return()` (a client that unsubscribes or goes away) aborts
 * `controller` at once, even while a `next()` is still waiting: an async generator would only see
 * its return at its next `yield`.
 */
export function abortOnReturn<T>(
  controller: AbortController,
  source: AsyncIterable<T>,
): AsyncIterableIterator<T> {
  const inner = source[Symbol.asyncIterator]();
  const finished = (): IteratorResult<T> => ({ done: true, value: undefined });
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (controller.signal.aborted) return Promise.resolve(finished());
      return inner.next();
    },
    async return() {
      controller.abort();
      await inner.return?.().catch(() => undefined);
      return finished();
    },
    async throw(err: unknown) {
      controller.abort();
      await inner.return?.().catch(() => undefined);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
