import { describe, expect, it } from 'vitest';
import { SignalQueue, signalStream } from './signal-queue';

describe('signalStream', () => {
  it('ends a stream that waits for an event at once on return(), running its finally', async () => {
    let pushed: SignalQueue<number> | null = null;
    let cleaned = 0;
    const stream = signalStream<number, number>(async function* (queue) {
      pushed = queue;
      try {
        for (;;) for (const n of await queue.next()) yield n * 10;
      } finally {
        cleaned++;
      }
    });
    const first = stream.next();
    await new Promise((r) => setTimeout(r, 5));
    pushed!.push(1);
    expect(await first).toEqual({ done: false, value: 10 });
    // Waiting for an event that never comes: a plain generator's return() would wait for it.
    const waiting = stream.next();
    await new Promise((r) => setTimeout(r, 5));
    const returned = await Promise.race([
      stream.return(undefined),
      new Promise((r) => setTimeout(() => r('still waiting'), 500)),
    ]);
    expect(returned).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(cleaned).toBe(1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('passes the body’s own errors on, and a body that never started needs no cleanup', async () => {
    const failing = signalStream<number, number>(async function* (queue) {
      queue.push(1);
      if ((await queue.next()).length === 1) throw new Error('NOT_FOUND');
      yield 0;
    });
    await expect(failing.next()).rejects.toThrow('NOT_FOUND');
    let started = false;
    const idle = signalStream<number, number>(async function* (queue) {
      started = true;
      yield* await queue.next();
    });
    expect(await idle.return(undefined)).toEqual({ done: true, value: undefined });
    expect(started).toBe(false);
  });

  it('drops what is pushed after close', async () => {
    const queue = new SignalQueue<number>();
    queue.push(1);
    expect(await queue.next()).toEqual([1]);
    queue.close();
    queue.push(2);
    await expect(queue.next()).rejects.toThrow();
  });
});
