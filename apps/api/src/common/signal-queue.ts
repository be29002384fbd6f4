/**
 * A push-to-pull bridge for subscriptions: event-bus callbacks push, an async generator awaits.
 * `next()` resolves with everything pushed since the last call, so bursts are read once.
 */
export class SignalQueue<T> {
  private items: T[] = [];
  private waiter: ((items: T[]) => void) | null = null;

  push(item: T): void {
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake([item]);
    } else {
      this.items.push(item);
    }
  }

  next(): Promise<T[]> {
    if (this.items.length > 0) {
      const batch = this.items;
      this.items = [];
      return Promise.resolve(batch);
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
