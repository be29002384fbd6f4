import type { EntityManager } from 'typeorm';
import { acquireArtifact } from '../artifacts/artifact-refs';
import type { SignatureRecord, VersionSource } from '../entities/column-types';
import { ModelVersion } from '../entities/model-version.entity';
import { assertVersionQuota } from '../quotas/version-quota';

/** What {@link commitModelVersion} records. */
export interface CommitModelVersionInput {
  workspaceId: string;
  modelId: string;
  source: VersionSource;
  signature: SignatureRecord;
  /** The artifact, already `put` in the store (its reference is taken here). */
  sha256: string;
  sizeBytes: number;
  metrics?: Record<string, unknown> | null;
  hyperparameters?: Record<string, unknown> | null;
  trainingJobId?: string | null;
  /** The version a training job warm-started from. */
  parentVersionId?: string | null;
}

/** The model is not in the workspace (deleted meanwhile, or never was). */
export class ModelNotFoundError extends Error {
  constructor(readonly modelId: string) {
    super(`Model ${modelId} does not exist (it may have been deleted).`);
    this.name = 'ModelNotFoundError';
  }
}

/**
 * Commits the next version of a model, inside the caller's transaction: takes the next number from
 * `models.version_counter` (the UPDATE's row lock serialises concurrent commits, and numbers are
 * never reused), adds a reference to the artifact, and inserts the version. Shared by uploads and
 * training. Throws {@link ModelNotFoundError} when the model is gone, `QuotaExceededError` when
 * it already has its workspace's maxVersionsPerModel versions (checked under the model's row lock
 * before anything is written, so the transaction may go on), and `ArtifactNotFoundError` when the
 * artifact is gone (put it again and retry).
 */
export async function commitModelVersion(
  manager: EntityManager,
  input: CommitModelVersionInput,
): Promise<ModelVersion> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      "commitModelVersion must run inside the caller's transaction (dataSource.transaction(manager => ...)).",
    );
  }
  if (!Number.isSafeInteger(input.sizeBytes) || input.sizeBytes < 0) {
    throw new Error(`sizeBytes must be a non-negative integer, got ${input.sizeBytes}.`);
  }
  if (!(await assertVersionQuota(manager, input.workspaceId, input.modelId, true)))
    throw new ModelNotFoundError(input.modelId);
  // A CTE makes TypeORM return plain rows for the UPDATE.
  const rows = await manager.query<{ version_counter: number }[]>(
    `WITH bumped AS (
       UPDATE models SET version_counter = version_counter + 1, updated_at = now()
       WHERE id = $1 AND workspace_id = $2 RETURNING version_counter
     ) SELECT version_counter FROM bumped`,
    [input.modelId, input.workspaceId],
  );
  const version = rows[0]?.version_counter;
  if (version === undefined) throw new ModelNotFoundError(input.modelId);
  await acquireArtifact(manager, input.sha256);
  return manager.save(
    manager.create(ModelVersion, {
      workspaceId: input.workspaceId,
      modelId: input.modelId,
      version,
      source: input.source,
      signature: input.signature,
      metrics: input.metrics ?? null,
      hyperparameters: input.hyperparameters ?? null,
      sha256: input.sha256,
      sizeBytes: input.sizeBytes,
      trainingJobId: input.trainingJobId ?? null,
      parentVersionId: input.parentVersionId ?? null,
    }),
  );
}
