import {
  ArtifactNotFoundError,
  Dataset,
  ModelVersion,
  TrainingJob,
  type ArtifactStore,
} from '@maas/db';
import {
  DatasetError,
  SeededRandom,
  TrainingError,
  decodeColumns,
  exportedStateFromOnnx,
  modelSpecFromMetadata,
  trainingRows,
  type ExportedModelState,
} from '@maas/training';
import type { DataSource } from 'typeorm';
import { badInput } from '../../common/errors';
import type { ServedVersion } from '../predictions/target-resolver';
import { meanDesign } from './exact-linear';
import { BACKGROUND_ROWS, REFERENCE_CACHE_VERSIONS } from './explanation-limits';

/** What explanations of one version compare records with: drawn from its training data. */
export interface VersionReference {
  /** A seeded sample of the training split, as model input (`backgroundCount × features`). */
  background: Float32Array;
  backgroundCount: number;
  /** Rows of the training split. */
  trainingRows: number;
  /** A one-layer model's weights and spec (exact-linear), else null. */
  linear: { state: ExportedModelState; designMean: Float64Array } | null;
}

const noReference = (version: ServedVersion, why: string) =>
  badInput(
    `Version ${version.version} of "${version.modelName}" has no reference data to explain against: ${why}`,
    { field: 'explain' },
  );

async function readAll(store: ArtifactStore, sha256: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of await store.openRead(sha256)) {
    chunks.push(chunk as Buffer);
    total += (chunk as Buffer).length;
  }
  // One aligned buffer: decodeColumns views typed arrays on it without copying.
  const out = new Uint8Array(new ArrayBuffer(total));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * The reference data of model versions, from their training data: the version's training job,
 * its dataset's stored columns, the training split found again from the job's seed and
 * validationSplit. Kept for the last {@link REFERENCE_CACHE_VERSIONS} versions (versions never
 * change); loads run one at a time, so at most one dataset is in memory for this at once.
 */
export class ReferenceData {
  private readonly cache = new Map<string, Promise<VersionReference>>();
  private loads: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
  ) {}

  /**
   * The background sample (and, for one-layer models, the weights and training means) of
   * `version`; BAD_USER_INPUT when it has no training data (an uploaded version, or a deleted
   * training dataset).
   */
  backgroundRows(workspaceId: string, version: ServedVersion): Promise<VersionReference> {
    const key = `${workspaceId}|${version.id}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const load = this.loads.then(() => this.load(workspaceId, version));
    this.loads = load.catch(() => undefined);
    this.cache.set(key, load);
    load.catch(() => {
      if (this.cache.get(key) === load) this.cache.delete(key);
    });
    while (this.cache.size > REFERENCE_CACHE_VERSIONS) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return load;
  }

  private async load(workspaceId: string, version: ServedVersion): Promise<VersionReference> {
    const row = await this.db
      .getRepository(ModelVersion)
      .findOne({ where: { id: version.id, workspaceId } });
    if (!row?.trainingJobId)
      throw noReference(
        version,
        'it was uploaded, not trained by maas, so there is no training data to draw a background sample from',
      );
    const job = await this.db
      .getRepository(TrainingJob)
      .findOne({ where: { id: row.trainingJobId, workspaceId } });
    const dataset = job
      ? await this.db.getRepository(Dataset).findOne({ where: { id: job.datasetId, workspaceId } })
      : null;
    if (!job || !dataset || dataset.deletedAt)
      throw noReference(version, 'the dataset it was trained on has been deleted');
    try {
      const spec = modelSpecFromMetadata(row.signature.metadata);
      const hp = {
        seed: Number(job.hyperparameters.seed ?? 0),
        validationSplit: Number(job.hyperparameters.validationSplit ?? 0),
      };
      const columns = decodeColumns(await readAll(this.store, dataset.columnsSha256));
      const { input, trainIndex } = trainingRows(spec, columns, hp);
      if (trainIndex.length === 0) throw noReference(version, 'its training split has no rows');
      const F = spec.features.length;
      // A seeded draw without replacement: the same background for every request.
      const order = Int32Array.from(trainIndex);
      const count = Math.min(BACKGROUND_ROWS, order.length);
      const random = new SeededRandom(hp.seed, 3);
      for (let i = 0; i < count; i++) {
        const j = i + random.nextInt(order.length - i);
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      const background = new Float32Array(count * F);
      for (let i = 0; i < count; i++) {
        const r = order[i] as number;
        background.set(input.subarray(r * F, r * F + F), i * F);
      }
      let linear: VersionReference['linear'] = null;
      if (spec.hiddenLayers.length === 0) {
        const state = exportedStateFromOnnx(await readAll(this.store, row.sha256));
        linear = { state, designMean: meanDesign(state, input, trainIndex) };
      }
      return { background, backgroundCount: count, trainingRows: trainIndex.length, linear };
    } catch (err) {
      if (err instanceof ArtifactNotFoundError)
        throw noReference(version, 'its training data is missing from the artifact store');
      if (err instanceof TrainingError || err instanceof DatasetError)
        throw noReference(version, `its training data cannot be read (${err.message})`);
      throw err;
    }
  }
}
