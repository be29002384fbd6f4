import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, EventBus } from '../src';
import { createTestDatabase, type TestDatabase } from '@maas/testing';

/** Resolves with the next `count` payloads a handler receives. */
function collector<T>() {
  const received: T[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    received,
    handler: (payload: T) => {
      received.push(payload);
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
    },
    until(count: number, timeoutMs = 5_000): Promise<T[]> {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`got ${received.length} of ${count} events`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventBus', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let publisher: EventBus;
  let subscriber: EventBus;
  const errors: Error[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(db.url, { poolSize: 2 }).initialize();
    publisher = new EventBus({ url: db.url, applicationName: 'bus-publisher' });
    subscriber = new EventBus({
      url: db.url,
      applicationName: 'bus-subscriber',
      minReconnectDelayMs: 20,
      onError: (err) => errors.push(err),
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await subscriber?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('delivers published payloads to subscribers on another connection, in order', async () => {
    const events = collector<{ n: number }>();
    const unsubscribe = await subscriber.subscribe('job.progress', events.handler);
    for (let n = 1; n <= 5; n++) await publisher.publish('job.progress', { n });
    expect(await events.until(5)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    await unsubscribe();
    await publisher.publish('job.progress', { n: 6 });
    await sleep(200);
    expect(events.received).toHaveLength(5);
  });

  it('publishes inside a transaction only when it commits', async () => {
    const events = collector<{ id: string }>();
    const unsubscribe = await subscriber.subscribe('models', events.handler);
    await expect(
      dataSource.transaction(async (manager) => {
        await publisher.publish('models', { id: 'rolled-back' }, manager);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await dataSource.transaction((manager) =>
      publisher.publish('models', { id: 'committed' }, manager),
    );
    expect(await events.until(1)).toEqual([{ id: 'committed' }]);
    await sleep(200);
    expect(events.received).toEqual([{ id: 'committed' }]);
    await unsubscribe();
  });

  it('reconnects after its backend is terminated, re-listens and runs the reconnect hooks', async () => {
    const events = collector<{ step: string }>();
    let reconnects = 0;
    const unsubscribe = await subscriber.subscribe('jobs:abc', events.handler, {
      onReconnect: () => {
        reconnects++;
      },
    });
    await publisher.publish('jobs:abc', { step: 'before' });
    await events.until(1);

    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const { rows } = await admin.query<{ terminated: boolean }>(
      "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'bus-subscriber'",
    );
    expect(rows).toEqual([{ terminated: true }]);

    for (let i = 0; i < 100 && reconnects === 0; i++) await sleep(50);
    expect(reconnects).toBe(1);
    expect(subscriber.connected).toBe(true);
    const { rows: listeners } = await admin.query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'bus-subscriber'",
    );
    expect(listeners).toHaveLength(1);
    await admin.end();
    expect(errors.some((err) => /terminat/i.test(err.message))).toBe(true);

    await publisher.publish('jobs:abc', { step: 'after' });
    expect(await events.until(2)).toEqual([{ step: 'before' }, { step: 'after' }]);
    await unsubscribe();
  });

  it('isolates a failing handler from the others', async () => {
    const events = collector<{ ok: boolean }>();
    const offBad = await subscriber.subscribe('mixed', () => {
      throw new Error('handler failed');
    });
    const offGood = await subscriber.subscribe('mixed', events.handler);
    await publisher.publish('mixed', { ok: true });
    expect(await events.until(1)).toEqual([{ ok: true }]);
    expect(errors.some((err) => err.message === 'handler failed')).toBe(true);
    await offBad();
    await offGood();
  });

  it('refuses oversized payloads and invalid channels with clear messages', async () => {
    await expect(publisher.publish('big', { blob: 'x'.repeat(8000) })).rejects.toThrow(
      /at most 7999/,
    );
    await expect(subscriber.subscribe('bad channel!', () => {})).rejects.toThrow(
      /Invalid event channel/,
    );
  });

  it('fails calls after close', async () => {
    const bus = new EventBus({ url: db.url });
    await bus.subscribe('x', () => {});
    await bus.close();
    await expect(bus.publish('x', {})).rejects.toThrow(/closed/);
  });
});
