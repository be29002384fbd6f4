import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Closers } from './closers';

const quiet = pino({ level: 'silent' });

describe('Closers', () => {
  it('closes last opened first, once, however often close is called', async () => {
    const closed: string[] = [];
    const closers = new Closers(quiet);
    for (const name of ['pool', 'bus', 'engine', 'http'])
      closers.add(name, () => Promise.resolve(closed.push(name)));
    await Promise.all([closers.close(), closers.close()]);
    await closers.close();
    expect(closed).toEqual(['http', 'engine', 'bus', 'pool']);
  });

  it('waits for each step before the next', async () => {
    const closed: string[] = [];
    const closers = new Closers(quiet);
    closers.add('pool', () => Promise.resolve(closed.push('pool')));
    closers.add('http', async () => {
      await new Promise((r) => setTimeout(r, 20));
      closed.push('http');
    });
    await closers.close();
    expect(closed).toEqual(['http', 'pool']);
  });

  it('closes the rest when a step fails, then throws that failure', async () => {
    const closed: string[] = [];
    const closers = new Closers(quiet);
    closers.add('pool', () => Promise.resolve(closed.push('pool')));
    closers.add('queue', () => Promise.reject(new Error('queue would not stop')));
    closers.add('http', () => Promise.resolve(closed.push('http')));
    await expect(closers.close()).rejects.toThrow('queue would not stop');
    expect(closed).toEqual(['http', 'pool']);
  });

  it('starts a background worker and stops it at close', async () => {
    const events: string[] = [];
    const closers = new Closers(quiet);
    const worker = {
      start: () => events.push('start'),
      stop: () => Promise.resolve(events.push('stop')),
    };
    expect(closers.start('writer', worker)).toBe(worker);
    expect(events).toEqual(['start']);
    await closers.close();
    expect(events).toEqual(['start', 'stop']);
    expect(() => closers.add('late', () => Promise.resolve())).toThrow('opened while closing');
  });
});
