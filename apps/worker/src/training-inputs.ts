import type { Readable } from 'node:stream';
import { ArtifactNotFoundError, type ArtifactStore } from '@maas/db';
import { queryRows, type LeasedJob, type TrainingJobLeaseStore } from '@maas/jobs';
import type { DataSource } from 'typeorm';
import type { WorkerConfig } from './env';
import type { TrainingThreadInput } from './thread-protocol';

/** A problem with the job's inputs that retrying will not fix: the job FAILS with this message. */
export class JobInputError extends Error {}

/** Where a run's inputs come from. */
export interface InputSources {
  db: DataSource;
  jobs: TrainingJobLeaseStore;
  store: ArtifactStore;
  config: WorkerConfig;
}

/**
 * The dataset's columns, the warm-start model and the checkpoint of `job`, as the training
 * thread's input (with the buffers to transfer). Throws {@link JobInputError} when one is gone.
 */
export async function loadTrainingInputs(
  sources: InputSources,
  job: LeasedJob,
): Promise<{ data: TrainingThreadInput; transfer: ArrayBuffer[] }> {
  if (!job.algorithm)
    throw new JobInputError('this job names no algorithm: it is not a training job');
  const [dataset] = await queryRows<{ columns_sha256: string }>(
    sources.db.manager,
    'SELECT columns_sha256 FROM datasets WHERE id = $1 AND workspace_id = $2',
    [job.datasetId, job.workspaceId],
  );
  if (!dataset)
    throw new JobInputError(`the dataset ${job.datasetId} of this job no longer exists`);
  const datasetColumns = await readArtifact(
    sources.store,
    dataset.columns_sha256,
    `the dataset's columns (${dataset.columns_sha256})`,
  );
  let warmStartOnnx: Uint8Array | null = null;
  if (job.warmStartVersionId) {
    const [version] = await queryRows<{ sha256: string }>(
      sources.db.manager,
      'SELECT sha256 FROM model_versions WHERE id = $1 AND workspace_id = $2',
      [job.warmStartVersionId, job.workspaceId],
    );
    if (!version)
      throw new JobInputError(`the warm-start version ${job.warmStartVersionId} no longer exists`);
    warmStartOnnx = await readArtifact(
      sources.store,
      version.sha256,
      `the warm-start model (${version.sha256})`,
    );
  }
  const stored = await sources.jobs.loadCheckpoint(job);
  const checkpoint = stored ? new Uint8Array(stored) : null;
  const data: TrainingThreadInput = {
    datasetColumns,
    algorithm: job.algorithm,
    target: job.target,
    features: job.features,
    hyperparameters: job.hyperparameters,
    warmStartOnnx,
    checkpoint,
    checkpointEveryEpochs: sources.config.checkpointEveryEpochs,
    checkpointMinIntervalMs: sources.config.checkpointMinIntervalMs,
  };
  const transfer = [datasetColumns, warmStartOnnx, checkpoint]
    .filter((bytes): bytes is Uint8Array => bytes !== null)
    .map((bytes) => bytes.buffer as ArrayBuffer);
  return { data, transfer };
}

/** An artifact's bytes in one exclusively owned, 8-byte-aligned buffer (transferable to the thread). */
export async function readArtifact(
  store: ArtifactStore,
  sha256: string,
  what: string,
): Promise<Uint8Array> {
  let stream: Readable;
  try {
    stream = await store.openRead(sha256);
  } catch (err) {
    if (err instanceof ArtifactNotFoundError)
      throw new JobInputError(`${what} is missing from the artifact store`);
    throw err;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    total += buffer.length;
  }
  const out = new Uint8Array(new ArrayBuffer(total));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
