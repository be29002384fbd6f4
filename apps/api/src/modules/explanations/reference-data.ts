import {
  ArtifactNotFoundError,
  Dataset,
  Deployment,
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
  modelInputFromDataset,
  modelSpecFromMetadata,
  trainingRows,
  type ExportedModelState,
} from '@maas/training';
import type { DataSource } from 'typeorm';
import { badInput } from '../../common/errors';
import type { ServedVersion } from '../predictions/target-resolver';
import { meanDesign } from './exact-linear';
import { BACKGROUND_ROWS, REFERENCE_CACHE_VERSIONS } from './explanation-limits';

/**
 * What explanations of one version compare records with: drawn from its training data, or for a
 * version without any (an uploaded one) from the reference dataset of the deployment serving it.
 */
export interface VersionReference {
  /** A seeded sample of the training split (or reference rows), as model input (`backgroundCount × features`). */
  background: Float32Array;
  backgroundCount: number;
  /** Rows of the training split (or the reference dataset's usable rows) the sample is from. */
  trainingRows: number;
  /** Where the sample comes from: the training split, or the deployment's reference dataset. */
  source: 'training' | 'reference';
  /** A one-layer model's weights and spec (exact-linear), else null. */
  linear: { state: ExportedModelState; designMean: Float64Array } | null;
}

const noReference = (version: ServedVersion, why: string) =>
  badInput(
    `Version ${version.version} of "${version.modelName}" has no reference data to explain against: ${why}`,
    { field: 'explain' },
  );

/** The hint of a version without training data: how to give it reference data. */
const REFERENCE_HINT =
  'serve it through a deployment with a reference dataset (setDeploymentReference) to explain its predictions';

/**
 * A seeded draw without replacement of at most BACKGROUND_ROWS of `rows` (indices into `input`,
 * `F` values each): the same background for every request.
 */
function drawBackground(
  input: Float32Array,
  rows: ArrayLike<number>,
  F: number,
  seed: number,
): { background: Float32Array; count: number } {
  const order = Int32Array.from(rows);
  const count = Math.min(BACKGROUND_ROWS, order.length);
  const random = new SeededRandom(seed, 3);
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
  return { background, count };
}

/** Reads a stored artifact whole, into one aligned buffer. */
export async function readAll(store: ArtifactStore, sha256: string): Promise<Uint8Array> {
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
   * `version`. A version without training data (an uploaded one) served through a deployment
   * (`deploymentId`) with a reference dataset (setDeploymentReference) draws its background from
   * that dataset's rows instead; BAD_USER_INPUT when neither exists (or the data is gone).
   */
  async backgroundRows(
    workspaceId: string,
    version: ServedVersion,
    deploymentId: string | null = null,
  ): Promise<VersionReference> {
    const row = await this.db.getRepository(ModelVersion).findOne({
      where: { id: version.id, workspaceId },
      select: { id: true, trainingJobId: true },
    });
    if (row?.trainingJobId || !row)
      return this.cached(`${workspaceId}|${version.id}`, () => this.load(workspaceId, version));
    const deployment = deploymentId
      ? await this.db.getRepository(Deployment).findOne({
          where: { id: deploymentId, workspaceId },
          select: { id: true, referenceDatasetId: true },
        })
      : null;
    if (!deployment?.referenceDatasetId)
      throw noReference(
        version,
        `it was uploaded, not trained by maas, so there is no training data to draw a background sample from: ${REFERENCE_HINT}`,
      );
    // The workspace's own dataset only, whatever the deployment row says.
    const dataset = await this.db
      .getRepository(Dataset)
      .findOne({ where: { id: deployment.referenceDatasetId, workspaceId } });
    if (!dataset || dataset.deletedAt)
      throw noReference(version, "the deployment's reference dataset has been deleted");
    return this.cached(`${workspaceId}|${version.id}|${dataset.id}`, () =>
      this.loadReference(version, dataset),
    );
  }

  private cached(key: string, loader: () => Promise<VersionReference>): Promise<VersionReference> {
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const load = this.loads.then(loader);
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

  /**
   * A background sample of a reference dataset's rows, as the version's input: its signature's
   * features in order (a categorical value as its index in `signature.categories`), rows with a
   * missing value or an unknown category left out, then the same seeded draw as training data.
   */
  private async loadReference(version: ServedVersion, dataset: Dataset): Promise<VersionReference> {
    const names = version.signature.features ?? [];
    const categories = version.signature.categories ?? {};
    const features = names.map((name) => {
      const cats = categories[name];
      return cats
        ? { name, type: 'categorical' as const, categories: cats, offset: 0, scale: 1 }
        : { name, type: 'numeric' as const, offset: 0, scale: 1 };
    });
    try {
      const columns = decodeColumns(await readAll(this.store, dataset.columnsSha256));
      const input = modelInputFromDataset({ features }, columns);
      const F = features.length;
      const usable: number[] = [];
      for (let r = 0; r < columns.rowCount; r++) {
        let ok = true;
        for (let f = 0; f < F && ok; f++) {
          const x = input[r * F + f] as number;
          ok = Number.isFinite(x) && (features[f]?.type !== 'categorical' || x >= 0);
        }
        if (ok) usable.push(r);
      }
      if (usable.length === 0)
        throw noReference(
          version,
          `its deployment's reference dataset "${dataset.name}" has no row with every feature (${names.join(', ')})`,
        );
      const { background, count } = drawBackground(input, usable, F, 0);
      return {
        background,
        backgroundCount: count,
        trainingRows: usable.length,
        source: 'reference',
        linear: null,
      };
    } catch (err) {
      if (err instanceof ArtifactNotFoundError)
        throw noReference(
          version,
          "its deployment's reference dataset is missing from the artifact store",
        );
      if (err instanceof TrainingError || err instanceof DatasetError)
        throw noReference(
          version,
          `its deployment's reference dataset "${dataset.name}" cannot be read (${err.message})`,
        );
      throw err;
    }
  }

  private async load(workspaceId: string, version: ServedVersion): Promise<VersionReference> {
    const row = await this.db
      .getRepository(ModelVersion)
      .findOne({ where: { id: version.id, workspaceId } });
    if (!row?.trainingJobId)
      throw noReference(
        version,
        `it was uploaded, not trained by maas, so there is no training data to draw a background sample from: ${REFERENCE_HINT}`,
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
      const { background, count } = drawBackground(input, trainIndex, F, hp.seed);
      let linear: VersionReference['linear'] = null;
      if (spec.hiddenLayers.length === 0) {
        const state = exportedStateFromOnnx(await readAll(this.store, row.sha256));
        linear = { state, designMean: meanDesign(state, input, trainIndex) };
      }
      return {
        background,
        backgroundCount: count,
        trainingRows: trainIndex.length,
        source: 'training',
        linear,
      };
    } catch (err) {
      if (err instanceof ArtifactNotFoundError)
        throw noReference(version, 'its training data is missing from the artifact store');
      if (err instanceof TrainingError || err instanceof DatasetError)
        throw noReference(version, `its training data cannot be read (${err.message})`);
      throw err;
    }
  }
}
