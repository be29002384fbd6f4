import { requestCancel, retryJob } from '@maas/jobs';
import * as ort from 'onnxruntime-node';
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
let seedDatasetId: string;
let mlpDatasetId: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  h = await startHarness();
  seedDatasetId = await insertDataset(h, seedExample(1000), 'seed');
  mlpDatasetId = await insertDataset(h, seedExample(5000, 2), 'seed-5k');
});
afterEach(async () => {
  await killAll(workers);
});
afterAll(async () => {
  await killAll(workers);
  await h?.close();
});

async function worker(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const started = await spawnWorker(h, env);
  workers.push(started);
  return started;
}

async function predict(onnx: Uint8Array, xs: number[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const input = new ort.Tensor('float32', Float32Array.from(xs), [xs.length, 1]);
    const output = await session.run({ [session.inputNames[0]!]: input });
    return Array.from(output.prediction!.data as Float32Array);
  } finally {
    await session.release();
  }
}

async function readArtifact(sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await h.store.openRead(sha256)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('training worker', () => {
  it('trains the seed example: picked up at once, every epoch recorded and published in order, one version predicting 3x + 0.5', async () => {
    await worker();
    const epochs = 40;
    const { jobId } = await startJob(h, {
      datasetId: seedDatasetId,
      hyperparameters: { epochs, learningRate: 0.05, seed: 7 },
    });

    // The worker polls only every 60 s here: a pickup within a second can only come from NOTIFY.
    const running = await waitFor('the job to start', async () => {
      const job = await readJob(h, jobId);
      return job.started_at ? job : undefined;
    });
    expect(running.started_at!.getTime() - running.created_at.getTime()).toBeLessThan(1_000);

    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempt).toBe(1);
    expect(done.epoch).toBe(epochs);
    expect(await epochNumbers(h, jobId)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));

    // Events: created, started, one per epoch in order (checkpoints between), a final SUCCEEDED; seq strictly increasing.
    const events = await waitFor('the final event', () => {
      const mine = h.events.filter((e) => e.jobId === jobId);
      return mine.at(-1)?.status === 'SUCCEEDED' ? mine : undefined;
    });
    expect(events[0]).toMatchObject({
      change: 'created',
      status: 'QUEUED',
      seq: 1,
      workspaceId: h.workspaceId,
    });
    expect(events[1]).toMatchObject({ change: 'started', status: 'RUNNING', seq: 2 });
    expect(events.filter((e) => e.change === 'epoch').map((e) => e.epoch)).toEqual(
      Array.from({ length: epochs }, (_, i) => i + 1),
    );
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
    expect(events.at(-1)).toMatchObject({
      change: 'status',
      status: 'SUCCEEDED',
      seq: done.seq,
      epoch: epochs,
    });

    const versions = await h.ds.query(
      'SELECT id, version, source, sha256, metrics, hyperparameters, parent_version_id, signature FROM model_versions WHERE training_job_id = $1',
      [jobId],
    );
    expect(versions).toHaveLength(1);
    const [version] = versions;
    expect(version.id).toBe(done.result_version_id);
    expect(version).toMatchObject({ version: 1, source: 'TRAINING', parent_version_id: null });
    expect(version.hyperparameters).toMatchObject({ epochs, learningRate: 0.05, seed: 7 });
    expect(version.metrics.r2).toBeGreaterThan(0.85);
    expect(version.signature.features).toEqual(['x']);
    const [{ ref_count }] = await h.ds.query('SELECT ref_count FROM artifacts WHERE sha256 = $1', [
      version.sha256,
    ]);
    expect(ref_count).toBe(1);

    const xs = [0, 0.25, 0.5, 1];
    const predicted = await predict(await readArtifact(version.sha256), xs);
    predicted.forEach((p, i) => expect(Math.abs(p - (3 * xs[i]! + 0.5))).toBeLessThan(0.1));
  });

  it('updates the model: a warm start from version 1 on fresh data continues from its weights and records the parent', async () => {
    await worker();
    const [parent] = await h.ds.query(
      `SELECT v.id, v.version FROM model_versions v WHERE v.model_id = $1 AND v.source = 'TRAINING' ORDER BY v.version LIMIT 1`,
      [h.modelId],
    );
    expect(parent).toBeDefined();
    const freshData = await insertDataset(h, seedExample(1000, 99), 'seed-fresh');
    // Two epochs at a small learning rate: only a warm start can land on 3x + 0.5 this fast.
    const { jobId } = await startJob(h, {
      datasetId: freshData,
      warmStartVersionId: parent.id,
      hyperparameters: { epochs: 2, learningRate: 0.001, seed: 8 },
    });
    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    const [version] = await h.ds.query(
      'SELECT id, version, sha256, parent_version_id FROM model_versions WHERE training_job_id = $1',
      [jobId],
    );
    expect(version).toMatchObject({ id: done.result_version_id, parent_version_id: parent.id });
    expect(version.version).toBeGreaterThan(parent.version);
    const xs = [0, 0.5, 1];
    const predicted = await predict(await readArtifact(version.sha256), xs);
    predicted.forEach((p, i) => expect(Math.abs(p - (3 * xs[i]! + 0.5))).toBeLessThan(0.1));
  });

  it('fails a diverging job with a message about the loss, and a retry runs it again as attempt 2', async () => {
    await worker();
    const { jobId } = await startJob(h, {
      datasetId: seedDatasetId,
      hyperparameters: { epochs: 50, learningRate: 10, optimizer: 'sgd', standardize: false },
    });
    const failed = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/loss became (NaN|-?Infinity), not a finite number/);
    expect(failed.finished_at).not.toBeNull();
    expect(failed.attempt).toBe(1);
    expect(failed.lease_owner).toBeNull();

    const retried = await h.ds.transaction((m) =>
      retryJob(m, jobId, h.queue, { workspaceId: h.workspaceId }),
    );
    expect(retried).toMatchObject({
      outcome: 'QUEUED',
      event: { status: 'QUEUED', epoch: 0, change: 'status' },
    });
    const again = await waitFor('the retry to fail again', async () => {
      const job = await readJob(h, jobId);
      return job.attempt === 2 && job.status === 'FAILED' ? job : undefined;
    });
    expect(again.error).toMatch(/not a finite number/);
    expect(again.seq).toBeGreaterThan(failed.seq);

    // Only FAILED/CANCELLED jobs are retryable; other workspaces see nothing.
    const other = await h.ds.transaction((m) =>
      retryJob(m, jobId, h.queue, { workspaceId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(other).toEqual({ outcome: 'NOT_FOUND' });
    const versions = await h.ds.query('SELECT 1 FROM model_versions WHERE training_job_id = $1', [
      jobId,
    ]);
    expect(versions).toHaveLength(0);
  });

  it('cancels a running job within seconds, and a retry runs it to success as attempt 2', async () => {
    await worker();
    const epochs = 60;
    const { jobId } = await startJob(h, {
      datasetId: mlpDatasetId,
      algorithm: 'MLP',
      hyperparameters: { epochs, hiddenLayers: [32, 32], learningRate: 0.01, seed: 3 },
    });
    await waitFor('a few epochs', async () => (await readJob(h, jobId)).epoch >= 2);

    const requested = Date.now();
    const result = await h.ds.transaction((m) =>
      requestCancel(m, jobId, { workspaceId: h.workspaceId }),
    );
    expect(result.outcome).toBe('CANCEL_REQUESTED');
    const cancelled = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 10_000);
    expect(cancelled.status).toBe('CANCELLED');
    expect(Date.now() - requested).toBeLessThan(2_000);
    expect(cancelled.epoch).toBeLessThan(epochs);
    expect(cancelled.result_version_id).toBeNull();
    // Nothing is written after the cancel.
    const epochsAtCancel = await epochNumbers(h, jobId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await epochNumbers(h, jobId)).toEqual(epochsAtCancel);
    expect(await h.ds.transaction((m) => requestCancel(m, jobId))).toEqual({
      outcome: 'ALREADY_FINISHED',
      status: 'CANCELLED',
    });

    const retried = await h.ds.transaction((m) => retryJob(m, jobId, h.queue));
    expect(retried.outcome).toBe('QUEUED');
    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 30_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempt).toBe(2);
    expect(await epochNumbers(h, jobId)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    const versions = await h.ds.query('SELECT id FROM model_versions WHERE training_job_id = $1', [
      jobId,
    ]);
    expect(versions).toEqual([{ id: done.result_version_id }]);
  });

  it('cancels a QUEUED job at once, and no worker runs it', async () => {
    // No worker runs here: the job stays QUEUED until cancelled.
    const { jobId } = await startJob(h, {
      datasetId: seedDatasetId,
      hyperparameters: { epochs: 5 },
    });
    const result = await h.ds.transaction((m) => requestCancel(m, jobId));
    expect(result).toMatchObject({
      outcome: 'CANCELLED',
      event: { status: 'CANCELLED', change: 'status' },
    });
    await worker();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const job = await readJob(h, jobId);
    expect(job).toMatchObject({ status: 'CANCELLED', attempt: 0, started_at: null });
    expect(await h.queue.size('maas-training')).toBe(0);
  });
});

describe('orphaned jobs', () => {
  it('runs a QUEUED job whose queue message is gone (the fair pick reads training_jobs)', async () => {
    const { jobId } = await startJob(h, {
      datasetId: seedDatasetId,
      hyperparameters: { epochs: 5 },
    });
    // What pg-boss leaves when it used up a message's retries: the job row, and no live message.
    const [, deleted] = await h.ds.query<[unknown[], number]>(
      `DELETE FROM pgboss.job WHERE data->>'jobId' = $1`,
      [jobId],
    );
    expect(deleted).toBe(1);
    workers.push(await worker());
    const done = await waitForStatus(h, jobId, ['SUCCEEDED', 'FAILED'], 20_000);
    expect(done.status).toBe('SUCCEEDED');
  });
});
