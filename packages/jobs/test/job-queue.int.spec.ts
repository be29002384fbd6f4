import { createDataSource } from '@maas/db';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@maas/testing';
import {
  TRAINING_QUEUE,
  createJobQueue,
  type JobQueue,
  type QueuedJob,
  type TrainingQueuePayload,
} from '../src';

let db: TestDatabase;
let ds: DataSource;
const queues: JobQueue[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource(db.url, { poolSize: 2, logging: ['error'] });
  await ds.initialize();
});
afterAll(async () => {
  for (const queue of queues) await queue.stop({ graceful: false });
  await ds?.destroy();
  await db?.drop();
});

async function startedQueue(): Promise<JobQueue> {
  const queue = createJobQueue({ databaseUrl: db.url, supervise: false });
  queues.push(queue);
  await queue.start();
  return queue;
}

const jobId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('JobQueue (pg-boss)', () => {
  it('refuses to work without a handler for every queue', async () => {
    const queue = await startedQueue();
    await expect(queue.work({} as never)).rejects.toThrow(
      `no handler for queue(s) ${TRAINING_QUEUE}; refusing to start`,
    );
  });

  it('enqueues only inside a transaction, and only job ids', async () => {
    const queue = await startedQueue();
    await expect(queue.enqueueTraining(ds.manager, jobId(1))).rejects.toThrow(
      /inside the caller's transaction/,
    );
    await expect(ds.transaction((m) => queue.enqueueTraining(m, 'nope'))).rejects.toThrow(
      /not a training job id/,
    );
  });

  it('drops the message when the transaction rolls back, and wakes an idle worker within milliseconds of a commit', async () => {
    const producer = await startedQueue();
    const consumer = await startedQueue();
    const received: { data: TrainingQueuePayload; at: number }[] = [];
    // A 60 s poll: only the NOTIFY can explain a fast pickup.
    await consumer.work(
      {
        [TRAINING_QUEUE]: (job: QueuedJob<TrainingQueuePayload>) => {
          received.push({ data: job.data, at: Date.now() });
          return Promise.resolve();
        },
      },
      { pollIntervalMs: 60_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the consumer's first fetch found nothing

    await ds
      .transaction(async (m) => {
        await producer.enqueueTraining(m, jobId(2));
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await ds.transaction((m) => producer.enqueueTraining(m, jobId(3)));
    const committed = Date.now();
    for (let i = 0; i < 100 && received.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received.map((r) => r.data)).toEqual([{ jobId: jobId(3) }]);
    expect(received[0]!.at - committed).toBeLessThan(500);
    await consumer.stop();
    expect(await producer.size(TRAINING_QUEUE)).toBe(0);
  });

  it("on a graceful stop aborts the running handler's signal and waits for it to return", async () => {
    const queue = await startedQueue();
    let aborted = false;
    let finished = false;
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await queue.work(
      {
        [TRAINING_QUEUE]: async (job) => {
          await job.complete();
          started();
          await new Promise<void>((resolve) =>
            job.signal.addEventListener('abort', () => resolve()),
          );
          aborted = true;
          await new Promise((resolve) => setTimeout(resolve, 100));
          finished = true;
        },
      },
      { pollIntervalMs: 60_000 },
    );
    await ds.transaction((m) => queue.enqueueTraining(m, jobId(4)));
    await handlerStarted;
    await queue.stop({ graceful: true, timeoutMs: 5_000 });
    expect(aborted).toBe(true);
    expect(finished).toBe(true);
  });

  it('tells which training jobs still have a live message: waiting ones do, handled ones do not', async () => {
    const producer = await startedQueue();
    await ds.transaction(async (m) => {
      await producer.enqueueTraining(m, jobId(5));
      await producer.enqueueTraining(m, jobId(6));
    });
    expect(await producer.liveTrainingJobIds(ds.manager, [jobId(5), jobId(6), jobId(7)])).toEqual(
      new Set([jobId(5), jobId(6)]),
    );
    expect(await producer.liveTrainingJobIds(ds.manager, [])).toEqual(new Set());

    const consumer = await startedQueue();
    const handled: string[] = [];
    await consumer.work(
      {
        [TRAINING_QUEUE]: (job: QueuedJob<TrainingQueuePayload>) => {
          handled.push(job.data.jobId);
          return Promise.resolve();
        },
      },
      { pollIntervalMs: 100 },
    );
    for (let i = 0; i < 200; i++) {
      if ((await producer.liveTrainingJobIds(ds.manager, [jobId(5), jobId(6)])).size === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await consumer.stop();
    expect(handled.sort()).toEqual([jobId(5), jobId(6)]);
    expect(await producer.liveTrainingJobIds(ds.manager, [jobId(5), jobId(6)])).toEqual(new Set());
  });
});
