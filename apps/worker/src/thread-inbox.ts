import type { Worker } from 'node:worker_threads';
import type { FromThreadMessage } from './thread-protocol';

/** A thread message, the thread's end, or an interruption from the main thread (cancel, shutdown, lost lease). */
export type InboxItem = FromThreadMessage | { type: 'exit'; code: number } | { type: 'interrupt' };

/** The training thread's messages as an ordered queue the main thread reads at its own pace. */
export class ThreadInbox {
  private readonly items: InboxItem[] = [];
  private waiter: ((item: InboxItem) => void) | null = null;

  constructor(thread: Worker) {
    thread.on('message', (message: FromThreadMessage) => this.push(message));
    // An uncaught exception in the thread (e.g. out of memory) arrives as 'error', then 'exit'.
    thread.on('error', (err: Error & { code?: string }) =>
      this.push({
        type: 'error',
        name: err.name,
        message:
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? 'the training thread ran out of memory (its heap limit is MAAS_TRAINING_THREAD_HEAP_MB): use smaller hiddenLayers, batchSize or dataset'
            : err.message,
      }),
    );
    thread.on('exit', (code: number) => this.push({ type: 'exit', code }));
  }

  /** The next item, waiting for it if none is queued. */
  next(): Promise<InboxItem> {
    const item = this.items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Removes and returns up to `max` queued epochs at the front (to write them together). */
  takeEpochs(max: number): Extract<InboxItem, { type: 'epoch' }>[] {
    const taken: Extract<InboxItem, { type: 'epoch' }>[] = [];
    while (taken.length < max && this.items[0]?.type === 'epoch')
      taken.push(this.items.shift() as Extract<InboxItem, { type: 'epoch' }>);
    return taken;
  }

  /** Wakes the reader now, ahead of queued messages (which stay queued). */
  interrupt(): void {
    if (this.waiter) this.push({ type: 'interrupt' });
    else this.items.unshift({ type: 'interrupt' });
  }

  private push(item: InboxItem): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(item);
    } else {
      this.items.push(item);
    }
  }
}
