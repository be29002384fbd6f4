/**
 * One poll per key, fanned out to every subscriber of that key: N live dashboards on the same
 * thing cost one query every interval, not N. The first subscriber starts the loop (a poll at
 * once, then one every `intervalMs` after the previous finished), the last one to leave stops
 * it. A subscriber that joins later gets the latest value at once; a slow one skips to the newest
 * value instead of queueing. A failed poll ends every subscription of that key with its error.
 */
export class SharedPolls<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly intervalMs: number,
    /** Called once per poll actually run (a metric). */
    private readonly onPoll: () => void = () => undefined,
  ) {}

  /** Open polls (keys with at least one subscriber). */
  get size(): number {
    return this.entries.size;
  }

  /** The values of `key`'s poll, until the caller returns the iterator. */
  join(key: string, poll: () => Promise<T>): PollSubscription<T> {
    let entry = this.entries.get(key);
    const isNew = !entry;
    entry ??= { subscribers: new Set(), latest: undefined, timer: undefined, stopped: false };
    this.entries.set(key, entry);
    const sub: Subscriber<T> = { pending: entry.latest, wake: undefined, done: false };
    entry.subscribers.add(sub);
    if (isNew) this.run(key, entry, poll);
    const leave = () => {
      if (sub.done) return;
      sub.done = true;
      sub.wake?.();
      entry.subscribers.delete(sub);
      if (entry.subscribers.size === 0) {
        entry.stopped = true;
        clearTimeout(entry.timer);
        if (this.entries.get(key) === entry) this.entries.delete(key);
      }
    };
    const iterator: PollSubscription<T> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        while (!sub.done && !sub.pending) {
          await new Promise<void>((resolve) => (sub.wake = resolve));
          sub.wake = undefined;
        }
        const outcome = sub.pending;
        sub.pending = undefined;
        if (sub.done || !outcome) return { done: true, value: undefined };
        if ('error' in outcome) {
          leave();
          throw outcome.error;
        }
        return { done: false, value: outcome.value };
      },
      return: () => {
        leave();
        return Promise.resolve({ done: true, value: undefined });
      },
      throw: (err: unknown) => {
        leave();
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      },
    };
    return iterator;
  }

  private run(key: string, entry: Entry<T>, poll: () => Promise<T>): void {
    if (entry.stopped) return;
    this.onPoll();
    poll().then(
      (value) => {
        this.publish(entry, { value });
        if (entry.stopped) return;
        entry.timer = setTimeout(() => this.run(key, entry, poll), this.intervalMs);
        entry.timer.unref();
      },
      (error: unknown) => {
        entry.stopped = true;
        if (this.entries.get(key) === entry) this.entries.delete(key);
        this.publish(entry, { error });
      },
    );
  }

  private publish(entry: Entry<T>, outcome: Outcome<T>): void {
    entry.latest = 'value' in outcome ? outcome : undefined;
    for (const sub of entry.subscribers) {
      sub.pending = outcome;
      sub.wake?.();
    }
  }
}

/** A subscriber's values; `return()` leaves at once, even while waiting for the next poll. */
export interface PollSubscription<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
}

type Outcome<T> = { value: T } | { error: unknown };

interface Subscriber<T> {
  pending: Outcome<T> | undefined;
  wake: (() => void) | undefined;
  done: boolean;
}

interface Entry<T> {
  subscribers: Set<Subscriber<T>>;
  latest: { value: T } | undefined;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}
