import { In, type EntityManager } from 'typeorm';
import { acquireArtifact, releaseArtifact } from '../artifacts/artifact-refs';
import type { ReleasedArtifact } from '../artifacts/artifact-store';
import type {
  BundleFileRecord,
  FeatureImportanceRecord,
  LanguageModelRecord,
  SignatureRecord,
  VersionSource,
} from '../entities/column-types';
import { ModelVersionFile } from '../entities/model-version-file.entity';
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
  /** Permutation importance measured when training ended (see `ModelVersion.featureImportance`). */
  featureImportance?: FeatureImportanceRecord[] | null;
  trainingJobId?: string | null;
  /** The version a training job warm-started from. */
  parentVersionId?: string | null;
  /**
   * A bundle: its files (each already `put`), the graph's path among them (whose sha256 must be
   * `sha256`), and what its config says about the language model.
   */
  bundle?: {
    files: readonly BundleFileRecord[];
    graphPath: string;
    languageModel: LanguageModelRecord | null;
  } | null;
}

/**
 * The artifacts a version references: its sha256 and its bundle files' sha256s, each distinct
 * one once. The one rule of a version's references: commit acquires these, deletion releases them.
 */
function distinctShas(sha256: string, files: readonly { sha256: string }[]): string[] {
  return [...new Set([sha256, ...files.map((f) => f.sha256)])];
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
  const bundle = input.bundle ?? null;
  if (bundle) {
    const graph = bundle.files.find((f) => f.path === bundle.graphPath);
    if (graph?.sha256 !== input.sha256)
      throw new Error(
        `The bundle's graph ${bundle.graphPath} must be one of its files, with the version's sha256.`,
      );
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
  for (const sha256 of distinctShas(input.sha256, bundle?.files ?? []))
    await acquireArtifact(manager, sha256);
  const row = await manager.save(
    manager.create(ModelVersion, {
      workspaceId: input.workspaceId,
      modelId: input.modelId,
      version,
      source: input.source,
      signature: input.signature,
      metrics: input.metrics ?? null,
      hyperparameters: input.hyperparameters ?? null,
      featureImportance: input.featureImportance ?? null,
      sha256: input.sha256,
      sizeBytes: input.sizeBytes,
      trainingJobId: input.trainingJobId ?? null,
      parentVersionId: input.parentVersionId ?? null,
      graphPath: bundle?.graphPath ?? null,
      languageModel: bundle?.languageModel ?? null,
    }),
  );
  if (bundle && bundle.files.length > 0)
    await manager.insert(
      ModelVersionFile,
      bundle.files.map((f) => ({
        versionId: row.id,
        path: f.path,
        sha256: f.sha256,
        sizeBytes: f.sizeBytes,
      })),
    );
  return row;
}

/**
 * A bundle version's files, by path; `[]` for a single-file version. What a loader needs to put
 * a bundle back together: each file's bytes are `store.openRead(file.sha256)`.
 */
export async function listVersionFiles(
  manager: EntityManager,
  versionId: string,
): Promise<BundleFileRecord[]> {
  return (await listFilesOfVersions(manager, [versionId])).get(versionId) ?? [];
}

/** The files of many versions at once (versions without files are absent from the map). */
export async function listFilesOfVersions(
  manager: EntityManager,
  versionIds: readonly string[],
): Promise<Map<string, BundleFileRecord[]>> {
  const byVersion = new Map<string, BundleFileRecord[]>();
  if (versionIds.length === 0) return byVersion;
  const rows = await manager.getRepository(ModelVersionFile).find({
    where: { versionId: In([...versionIds]) },
    order: { versionId: 'ASC', path: 'ASC' },
  });
  for (const r of rows) {
    const list = byVersion.get(r.versionId) ?? [];
    list.push({ path: r.path, sizeBytes: r.sizeBytes, sha256: r.sha256 });
    byVersion.set(r.versionId, list);
  }
  return byVersion;
}

/**
 * The references that deleting `versions` will drop, one entry per reference (a sha256 shared by
 * two versions appears twice). Read them before deleting the rows, then {@link releaseVersionArtifacts}.
 */
export async function versionArtifactRefs(
  manager: EntityManager,
  versions: readonly { id: string; sha256: string }[],
): Promise<string[]> {
  const files = await listFilesOfVersions(
    manager,
    versions.map((v) => v.id),
  );
  return versions.flatMap((v) => distinctShas(v.sha256, files.get(v.id) ?? []));
}

/**
 * Releases what {@link versionArtifactRefs} listed, inside the deleting transaction, after the
 * versions' rows (and with them their files' rows) are deleted.
 */
export async function releaseVersionArtifacts(
  manager: EntityManager,
  refs: readonly string[],
): Promise<ReleasedArtifact[]> {
  const out: ReleasedArtifact[] = [];
  for (const sha256 of refs) out.push(await releaseArtifact(manager, sha256));
  return out;
}
