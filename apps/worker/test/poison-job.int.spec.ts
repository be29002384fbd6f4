// A poison job (one that takes its worker down every time, e.g. by exhausting its memory) must
// not loop forever: after MAAS_MAX_ATTEMPTS attempts that ended without a word from their worker,
// the reaper fails it with the reason, and no worker claims it again. A retry starts it afresh.
import { cancelTrainingJob, retryTrainingJob } from '@maas/jobs';
import { seedExample } from '@maas/training';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  insertDataset,
  killAll,
  readJob,
  spawnWorker,
  startHarness,
  startJob,
  waitFor,
  waitForStatus,
  type Harness,
  type WorkerProcess,
} from './worker-harness';

let h: Harness;
let datasetId: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  h = await startHarness();
  datasetId = await insertDataset(h, seedExample(2000, 9), 'seed-2k');
});
afterEach(async () => {
  await killAll(workers);
});
afterAll(async () => {
  await killAll(workers);
  await h?.close();
});

// Long enough that no attempt finishes before it is killed.
const ENDLESS_JOB = {
  algorithm: 'MLP' as const,
  hyperparameters: { epochs: 100_000, hiddenLayers: [16], seed: 3 },
};
const ENV = { MAAS_MAX_ATTEMPTS: '3' };

async function lapsedAttempts(jobId: string): Promise<number> {
  const [row] = await h.ds.query<{ lapsed_attempts: number }[]>(
    'SELECT lapsed_attempts FROM training_jobs WHERE id = $1',
    [jobId],
  );
  return row!.lapsed_attempts;
}

/** Starts a worker and waits until it runs `jobId` as `attempt` (with an epoch done, if asked). */
async function workerRunning(
  jobId: string,
  attempt: number,
  { epochDone = false } = {},
): Promise<WorkerProcess> {
  const worker = await spawnWorker(h, ENV);
  workers.push(worker);
  await waitFor(
    `attempt ${attempt} to run`,
    async () => {
      const job = await readJob(h, jobId);
      return job.status === 'RUNNING' && job.attempt === attempt && (!epochDone || job.epoch > 0)
        ? job
        : undefined;
    },
    30_000,
  );
  return worker;
}

describe('poison jobs', () => {
  it('fails a job after MAAS_MAX_ATTEMPTS attempts whose worker died, with the reason, and never claims it again', async () => {
    const { jobId } = await startJob(h, { datasetId, ...ENDLESS_JOB });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const worker = await workerRunning(jobId, attempt, { epochDone: true });
      // What an out-of-memory kill looks like from the database: the worker just stops.
      worker.kill('SIGKILL');
      await worker.exited;
    }
    // A healthy worker arrives: its reaper fails the job instead of handing it a fourth attempt.
    const healthy = await spawnWorker(h, ENV);
    workers.push(healthy);
    const failed = await waitForStatus(h, jobId, ['FAILED', 'SUCCEEDED', 'CANCELLED'], 20_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.attempt).toBe(3);
    expect(failed.error).toMatch(
      /^Gave up after 3 attempts: each time, the worker running this job stopped/,
    );
    expect(failed.finished_at).not.toBeNull();
    expect(await lapsedAttempts(jobId)).toBe(3);
    // Still failed, still 3 attempts, a few reaper rounds later.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await readJob(h, jobId)).toMatchObject({ status: 'FAILED', attempt: 3 });

    // A retry resets the budget: the healthy worker takes it as attempt 4.
    const retried = await h.ds.transaction((m) => retryTrainingJob(m, jobId, h.queue));
    expect(retried?.status).toBe('QUEUED');
    expect(await lapsedAttempts(jobId)).toBe(0);
    await waitFor('the retried job to run', async () => {
      const job = await readJob(h, jobId);
      return job.status === 'RUNNING' && job.attempt === 4 ? job : undefined;
    });
    // Leave nothing to resume: the fair queue takes a workspace's oldest job first, and this one is
    // older than the next test's.
    await h.ds.transaction((m) => cancelTrainingJob(m, jobId));
  }, 120_000);

  it('does not count graceful hand-backs (SIGTERM) against the attempts', async () => {
    const { jobId } = await startJob(h, { datasetId, ...ENDLESS_JOB });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const worker = await workerRunning(jobId, attempt);
      worker.kill('SIGTERM');
      await worker.exited;
      expect((await readJob(h, jobId)).status).toBe('QUEUED');
    }
    expect(await lapsedAttempts(jobId)).toBe(0);
    const next = await spawnWorker(h, ENV);
    workers.push(next);
    await waitFor('attempt 4 to run', async () => {
      const job = await readJob(h, jobId);
      return job.status === 'RUNNING' && job.attempt === 4 ? job : undefined;
    });
  }, 120_000);
});
