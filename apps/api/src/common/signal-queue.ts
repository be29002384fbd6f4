/** What `next()` of a closed {@link SignalQueue} rejects with: the stream was ended by its client. */
class QueueClosed extends Error {}

/**
 * A push-to-pull bridge for subscriptions: event-bus callbacks push, an async generator awaits.
 * `next()` resolves with everything pushed since the last call, so bursts are read once.
 */
export class SignalQueue<T> {
  private items: T[] = [];
  private waiter: { resolve: (items: T[]) => void; reject: (err: Error) => void } | null = null;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve([item]);
    } else {
      this.items.push(item);
    }
  }

  next(): Promise<T[]> {
    if (this.closed) return Promise.reject(new QueueClosed());
    if (this.items.length > 0) {
      const batch = this.items;
      this.items = [];
      return Promise.resolve(batch);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the queue: a `next()` waiting now, and every later one, rejects with QueueClosed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items = [];
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(new QueueClosed());
  }
}

/**
 * Runs `body` as a subscription's stream whose client can end it at any moment. A generator's own
 * `return()` waits until the generator next yields, so a stream waiting for an event that never
 * comes would keep its event-bus listener (and the body's `finally`) after its client left. Here
 * `return()` (the client completed, or its socket closed) closes the queue first: the waiting
 * `next()` rejects, the body's `finally` unsubscribes at once, and the stream ends cleanly.
 */
export function signalStream<S, T>(
  body: (queue: SignalQueue<S>) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const queue = new SignalQueue<S>();
  const inner = body(queue);
  const done = { done: true, value: undefined } as IteratorReturnResult<undefined>;
  const ended = (err: unknown): IteratorReturnResult<undefined> => {
    if (err instanceof QueueClosed) return done;
    throw err;
  };
  const stream: AsyncGenerator<T> = {
    next: (...args) => inner.next(...args).catch(ended),
    return: (value) => {
      queue.close();
      return inner.return(value).catch(ended);
    },
    throw: (err) => {
      queue.close();
      return inner.throw(err).catch(ended);
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
