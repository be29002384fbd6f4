import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  epochNumbers,
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
import { seedExample } from '@maas/training';

let h: Harness;
let datasetId: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  h = await startHarness();
  datasetId = await insertDataset(h, seedExample(5000, 5), 'seed-5k');
});
afterEach(async () => {
  await killAll(workers);
});
afterAll(async () => {
  await killAll(workers);
  await h?.close();
});

/** Two idle workers; the job goes to whichever fetches it first. */
async function twoWorkers(): Promise<WorkerProcess[]> {
  const started = await Promise.all([spawnWorker(h), spawnWorker(h)]);
  workers.push(...started);
  return started;
}

function workerIdOf(worker: WorkerProcess): unknown {
  return worker.logs[0]?.workerId;
}

async function losses(jobId: string): Promise<Map<number, number>> {
  const rows = await h.ds.query<{ epoch: number; loss: number }[]>(
    'SELECT epoch, loss FROM training_epochs WHERE job_id = $1',
    [jobId],
  );
  return new Map(rows.map((r) => [r.epoch, r.loss]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGSTOPs `worker` at a moment none of its sessions is inside a transaction: a transaction paused
 * with it would hold the job's row lock, and no other worker could take the job over.
 */
async function pauseBetweenTransactions(worker: WorkerProcess): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    worker.kill('SIGSTOP');
    await sleep(100); // lets statements already sent finish on the server
    const [row] = await h.ds.query<{ busy: number }[]>(
      `SELECT count(*)::int AS busy FROM pg_stat_activity
       WHERE datname = current_database() AND application_name LIKE 'maas-worker%' AND state <> 'idle'`,
    );
    if (row!.busy === 0) return;
    worker.kill('SIGCONT');
    await sleep(20 + tries * 5);
  }
  throw new Error('could not pause the worker between two of its transactions');
}

/** Everything a worker could write about `jobId`: its row (every write changes it), its epochs, its versions, its events. */
async function footprint(jobId: string): Promise<unknown> {
  const [job] = await h.ds.query<{ row: unknown }[]>(
    `SELECT to_jsonb(t) - 'checkpoint' || jsonb_build_object('checkpoint_md5', md5(t.checkpoint)) AS row
     FROM training_jobs t WHERE id = $1`,
    [jobId],
  );
  const epochs = await h.ds.query(
    'SELECT epoch, loss, validation_loss, metrics, at FROM training_epochs WHERE job_id = $1 ORDER BY epoch',
    [jobId],
  );
  const versions = await h.ds.query('SELECT id FROM model_versions WHERE training_job_id = $1', [
    jobId,
  ]);
  return { job: job!.row, epochs, versions, events: h.events.filter((e) => e.jobId === jobId) };
}

const MLP_JOB = {
  algorithm: 'MLP' as const,
  hyperparameters: { epochs: 120, hiddenLayers: [32, 32], learningRate: 0.01, seed: 11 },
};

describe('crash recovery', () => {
  it('resumes the job of a SIGKILLed worker from its checkpoint on another worker: attempt 2, no duplicate epochs, one version', async () => {
    const pair = await twoWorkers();
    const { jobId } = await startJob(h, { datasetId, ...MLP_JOB });
    const leased = await waitFor('a checkpoint', async () => {
      const job = await readJob(h, jobId);
      return job.checkpoint_epoch !== null && job.checkpoint_epoch >= 10 ? job : undefined;
    });
    const victim = pair.find((w) => workerIdOf(w) === leased.lease_owner)!;
    const survivor = pair.find((w) => w !== victim)!;
    expect(victim).toBeDefined();

    victim.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    // Nothing writes after the kill: this is the state the next attempt starts from.
    const atKill = await readJob(h, jobId);
    const lossesAtKill = await losses(jobId);
    expect(atKill.status).toBe('RUNNING');
    expect(atKill.attempt).toBe(1);
    expect(atKill.epoch).toBeLessThan(MLP_JOB.hyperparameters.epochs);

    const resumed = await waitFor('another worker to take the job', async () => {
      const job = await readJob(h, jobId);
      return job.attempt === 2 && job.status === 'RUNNING' ? job : undefined;
    });
    // Lease 2 s, reaper every 0.4 s: resumed within seconds of the lease lapsing.
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(resumed.lease_owner).toBe(workerIdOf(survivor));
    const resumeLog = await survivor.waitForLog(
      (line) => line.msg === 'resuming training from checkpoint',
    );
    expect(resumeLog).toMatchObject({
      jobId,
      attempt: 2,
      resumedFromEpoch: atKill.checkpoint_epoch,
    });

    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 60_000);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 2,
      epoch: MLP_JOB.hyperparameters.epochs,
    });
    expect(await epochNumbers(h, jobId)).toEqual(
      Array.from({ length: MLP_JOB.hyperparameters.epochs }, (_, i) => i + 1),
    );
    // Resuming is exact: epochs re-run after the checkpoint give the very same losses.
    const after = await losses(jobId);
    for (const [epoch, loss] of lossesAtKill) expect(after.get(epoch)).toBe(loss);
    const versions = await h.ds.query('SELECT id FROM model_versions WHERE training_job_id = $1', [
      jobId,
    ]);
    expect(versions).toEqual([{ id: done.result_version_id }]);

    // Both attempts are metered: the killed one up to its last lease renewal (it ran no longer
    // than until the kill), the second from its start to the job's end. (The first test of this
    // file, so the model has no other job's seconds.)
    const [metered] = await h.ds.query<
      { total: number; second: number; whole: number; until_kill: number }[]
    >(
      `SELECT (SELECT SUM(training_seconds) FROM usage_counters
                WHERE granularity = 'day' AND model_id = j.model_id)::float8 AS total,
              extract(epoch FROM j.finished_at - j.attempt_started_at)::float8 AS second,
              extract(epoch FROM j.finished_at - j.started_at)::float8 AS whole,
              extract(epoch FROM to_timestamp($2 / 1000.0) - j.started_at)::float8 AS until_kill
         FROM training_jobs j WHERE j.id = $1`,
      [jobId, killedAt],
    );
    const firstAttempt = metered!.total - metered!.second;
    expect(firstAttempt).toBeGreaterThan(0);
    expect(firstAttempt).toBeLessThanOrEqual(metered!.until_kill + 0.05);
    expect(metered!.total).toBeLessThan(metered!.whole);
  });

  it('on SIGTERM hands the running job back, checkpointed at its last epoch, and another worker finishes it', async () => {
    const pair = await twoWorkers();
    const { jobId } = await startJob(h, { datasetId, ...MLP_JOB });
    const leased = await waitFor('some epochs', async () => {
      const job = await readJob(h, jobId);
      return job.epoch >= 8 ? job : undefined;
    });
    const leaving = pair.find((w) => workerIdOf(w) === leased.lease_owner)!;
    const staying = pair.find((w) => w !== leaving)!;

    leaving.kill('SIGTERM');
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    const handBack = await leaving.waitForLog(
      (line) => line.msg === 'handed the job back for another worker',
    );
    expect(handBack).toMatchObject({ jobId, status: 'QUEUED' });

    const resumeLog = await staying.waitForLog(
      (line) => line.msg === 'resuming training from checkpoint',
    );
    expect(resumeLog).toMatchObject({ jobId, attempt: 2 });
    // The checkpoint was taken at the last epoch the leaving worker finished.
    expect(resumeLog.resumedFromEpoch).toBeGreaterThanOrEqual(leased.epoch);

    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 60_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    expect(await epochNumbers(h, jobId)).toEqual(
      Array.from({ length: MLP_JOB.hyperparameters.epochs }, (_, i) => i + 1),
    );
    const versions = await h.ds.query('SELECT id FROM model_versions WHERE training_job_id = $1', [
      jobId,
    ]);
    expect(versions).toHaveLength(1);
  });

  it('fences a stale worker by its attempt: paused past its lease, taken over, then resumed, it writes nothing', async () => {
    const stale = await spawnWorker(h);
    workers.push(stale);
    const { jobId } = await startJob(h, {
      datasetId,
      ...MLP_JOB,
      hyperparameters: { ...MLP_JOB.hyperparameters, epochs: 80 },
    });
    await waitFor('a checkpoint of attempt 1', async () => {
      const job = await readJob(h, jobId);
      return job.attempt === 1 && (job.checkpoint_epoch ?? 0) >= 5 ? job : undefined;
    });
    await pauseBetweenTransactions(stale);
    const pausedAt = await readJob(h, jobId);
    expect(pausedAt).toMatchObject({
      status: 'RUNNING',
      attempt: 1,
      lease_owner: workerIdOf(stale),
    });

    // Its 2 s lease lapses; the new worker reaps the job and takes it (a 10 s lease of its own).
    const fresh = await spawnWorker(h, { MAAS_LEASE_MS: '10000' });
    workers.push(fresh);
    const takenOver = await waitFor('attempt 2 to record epochs', async () => {
      const job = await readJob(h, jobId);
      return job.attempt === 2 && job.status === 'RUNNING' && job.seq >= pausedAt.seq + 6
        ? job
        : undefined;
    });
    expect(takenOver.lease_owner).toBe(workerIdOf(fresh));

    // Freeze attempt 2 too: from here on, any change to the job can only come from the stale worker.
    await pauseBetweenTransactions(fresh);
    const before = await footprint(jobId);
    stale.kill('SIGCONT');
    // It renews, records the epochs its thread finished meanwhile, and finds the job taken over.
    const ended = await stale
      .waitForLog(
        (line) =>
          line.msg === 'training attempt ended' && line.jobId === jobId && line.attempt === 1,
        5_000,
      )
      .catch(() => null);
    await sleep(300);
    expect(await footprint(jobId)).toEqual(before);
    expect(ended).not.toBeNull();
    expect(stale.logs).toContainEqual(
      expect.objectContaining({ jobId, attempt: 1, msg: expect.stringMatching(/^lost the lease/) }),
    );

    fresh.kill('SIGCONT');
    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 30_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempt: 2, epoch: 80, error: null });
    expect(await epochNumbers(h, jobId)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const versions = await h.ds.query('SELECT id FROM model_versions WHERE training_job_id = $1', [
      jobId,
    ]);
    expect(versions).toEqual([{ id: done.result_version_id }]);
    // The stale worker is alive and well, and idle: it did not take the job back.
    expect(stale.child.exitCode).toBeNull();
    expect(stale.logs.filter((line) => line.msg === 'took the lease on a training job')).toEqual([
      expect.objectContaining({ jobId, attempt: 1 }),
    ]);
  }, 45_000);
});
