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

const MLP_JOB = {
  algorithm: 'MLP',
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
});
