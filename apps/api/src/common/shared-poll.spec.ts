import { describe, expect, it } from 'vitest';
import { SharedPolls } from './shared-poll';

describe('SharedPolls', () => {
  it('runs one poll per key for any number of subscribers, and stops with the last one', async () => {
    let polls = 0;
    const shared = new SharedPolls<number>(30, () => (polls += 1));
    const poll = () => Promise.resolve(polls);
    const subscribers = Array.from({ length: 20 }, () => shared.join('d1:60', poll));
    const other = shared.join('d2:60', poll);
    const firsts = await Promise.all(subscribers.map((s) => s.next()));
    expect(firsts.every((r) => r.done === false)).toBe(true);
    await other.next();
    // Two keys, one poll each so far.
    expect(polls).toBe(2);
    const seconds = await Promise.all(subscribers.map((s) => s.next()));
    expect(new Set(seconds.map((r) => r.value)).size).toBe(1);
    await other.return();
    await Promise.all(subscribers.map((s) => s.return()));
    expect(shared.size).toBe(0);
    const after = polls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls).toBe(after);
  });

  it('ends a subscriber waiting for the next value at once when it returns', async () => {
    const shared = new SharedPolls<number>(60_000);
    const sub = shared.join('k', () => Promise.resolve(1));
    expect(await sub.next()).toEqual({ done: false, value: 1 });
    const waiting = sub.next();
    await sub.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(shared.size).toBe(0);
  });

  it('ends every subscription of a key with its poll error', async () => {
    const shared = new SharedPolls<number>(10);
    const fail = () => Promise.reject(new Error('gone'));
    const a = shared.join('k', fail);
    const b = shared.join('k', fail);
    await expect(a.next()).rejects.toThrow('gone');
    await expect(b.next()).rejects.toThrow('gone');
    expect(shared.size).toBe(0);
  });
});
