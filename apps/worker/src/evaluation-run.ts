import type { SignatureRecord } from '@maas/db';
import type { InferenceEngine } from '@maas/inference';
import { queryRows, type LeasedJob, type VersionScore } from '@maas/jobs';
import {
  TrainingError,
  decodeColumns,
  evaluateVersion,
  evaluationRows,
  type EvaluatedModel,
  type ModelOutputs,
} from '@maas/training';
import { LeasedRun, type LeasedRunContext } from './leased-run';
import { JobInputError, readArtifact } from './training-inputs';

/** What an evaluation run needs from its worker: the shared inference engine, made on first use. */
export interface EvaluationContext extends LeasedRunContext {
  engine: () => Promise<InferenceEngine>;
}

/** Thrown between model runs once the run was asked to stop. */
class Stopped extends Error {}

interface VersionRow {
  id: string;
  version: number;
  sha256: string;
  signature: SignatureRecord;
}

/**
 * One attempt at one evaluation job (a training-queue job of kind EVALUATION), from a taken lease
 * to a final state: loads the dataset and the versions, scores every version on the same rows by
 * running it in the inference engine (the same sessions as serving: trained and uploaded ONNX
 * alike), and commits the scores (SUCCEEDED), or ends FAILED (inputs that do not fit, a model that
 * cannot run), CANCELLED, handed back (shutdown: it starts over elsewhere, there is no checkpoint)
 * or silently (lease lost). The scoring is light main-thread work between model runs, which run
 * in the engine's pool, so the lease keeps being renewed.
 */
export class EvaluationRun extends LeasedRun {
  /** Settles when the run is asked to stop, so a model run in progress is not waited for. */
  private readonly stopped: Promise<never>;
  private rejectStopped: (err: Stopped) => void = () => undefined;

  constructor(
    protected override readonly ctx: EvaluationContext,
    job: LeasedJob,
    signal: AbortSignal,
  ) {
    super(ctx, job, signal, 'evaluation', { kind: 'EVALUATION' });
    this.stopped = new Promise<never>((_, reject) => (this.rejectStopped = reject));
    this.stopped.catch(() => undefined);
  }

  protected work(): Promise<void> {
    return this.evaluate();
  }

  protected onStop(): void {
    this.rejectStopped(new Stopped());
  }

  private checkStop(): void {
    if (this.stopReason) throw new Stopped();
  }

  private async evaluate(): Promise<void> {
    let scores: VersionScore[];
    try {
      scores = await this.score();
    } catch (err) {
      // A stop request wins over what failed after it (a run cut short, say).
      if (err instanceof Stopped || this.stopReason) return this.settleStop();
      if (err instanceof JobInputError || err instanceof TrainingError) {
        const recorded = await this.ctx.jobs.fail(this.job, err.message);
        this.log.warn({ error: err.message, recorded }, 'evaluation failed');
        return;
      }
      throw err;
    }
    if (this.stopReason) return this.settleStop();
    const outcome = await this.ctx.jobs.completeEvaluation(this.job, scores);
    this.log.info({ outcome, versions: scores.length }, 'evaluation finished');
  }

  private async settleStop(): Promise<void> {
    const reason = this.stopReason;
    if (reason === 'cancel') {
      const recorded = await this.ctx.jobs.cancel(this.job);
      this.log.info({ recorded }, 'evaluation cancelled');
    } else if (reason === 'shutdown') {
      const status = await this.ctx.jobs.handBack(this.job);
      this.log.info({ status }, 'handed the evaluation back for another worker');
    } else {
      this.logLost();
    }
  }

  private async score(): Promise<VersionScore[]> {
    const { db, store } = this.ctx;
    const [dataset] = await queryRows<{ columns_sha256: string }>(
      db.manager,
      'SELECT columns_sha256 FROM datasets WHERE id = $1 AND workspace_id = $2',
      [this.job.datasetId, this.job.workspaceId],
    );
    if (!dataset)
      throw new JobInputError(`the dataset ${this.job.datasetId} of this job no longer exists`);
    const versions = await queryRows<VersionRow>(
      db.manager,
      `SELECT v.id, v.version, v.sha256, v.signature
         FROM evaluation_results r JOIN model_versions v ON v.id = r.version_id
        WHERE r.job_id = $1 AND v.workspace_id = $2 ORDER BY r.position`,
      [this.job.id, this.job.workspaceId],
    );
    if (versions.length === 0) throw new JobInputError('the versions of this job no longer exist');
    const columns = decodeColumns(
      await readArtifact(
        store,
        dataset.columns_sha256,
        `the dataset's columns (${dataset.columns_sha256})`,
      ),
    );
    this.checkStop();
    const models = versions.map((v) => evaluatedModel(v));
    const labels = models[0]?.labels ?? null;
    const rows = evaluationRows(columns, this.job.target, this.job.features, labels);
    const engine = await this.ctx.engine();
    const scores: VersionScore[] = [];
    for (const [i, version] of versions.entries()) {
      const model = models[i] as EvaluatedModel;
      const run = async (input: Float32Array, count: number): Promise<ModelOutputs> => {
        this.checkStop();
        // The engine's own deadline ends a run that never finishes; a stop does not wait for it.
        return Promise.race([runVersion(engine, version, model, input, count), this.stopped]);
      };
      const result = await evaluateVersion(model, columns, rows, run);
      scores.push({
        versionId: version.id,
        metrics: result.metrics,
        details: { ...result.details, featureImportance: result.featureImportance },
        featureImportance: result.featureImportance,
      });
      this.log.info({ version: version.version, metrics: result.metrics }, 'scored a version');
    }
    return scores;
  }
}

/** The version's tabular signature (the API checked it is tabular when the job started). */
function evaluatedModel(version: VersionRow): EvaluatedModel {
  const features = version.signature.features;
  if (!features || version.signature.inputs.length !== 1)
    throw new JobInputError(`version ${version.version} is not a tabular model`);
  return {
    features,
    categories: version.signature.categories ?? {},
    labels: version.signature.labels ?? null,
  };
}

/** Runs a version on one chunk in the engine; its errors become the job's error. */
async function runVersion(
  engine: InferenceEngine,
  version: VersionRow,
  model: EvaluatedModel,
  input: Float32Array,
  rows: number,
): Promise<ModelOutputs> {
  const inputName = version.signature.inputs[0]?.name ?? 'input';
  let outputs;
  try {
    outputs = await engine.infer(
      { id: version.id, sha256: version.sha256 },
      { [inputName]: { datatype: 'FP32', shape: [rows, model.features.length], data: input } },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new JobInputError(`version ${version.version} could not be run: ${message}`);
  }
  const names = Object.keys(outputs);
  const main = outputs.prediction ?? (names.length === 1 ? outputs[names[0] as string] : undefined);
  if (!main || typeof main.data[0] === 'string' || main.data.length !== rows)
    throw new JobInputError(
      `version ${version.version} gave no 'prediction' output of one number per row (outputs: ${names.join(', ')})`,
    );
  const prediction = Float64Array.from(main.data as ArrayLike<number | bigint>, Number);
  const classes = model.labels?.length ?? 0;
  const probs = outputs.probabilities;
  const probabilities =
    classes > 0 &&
    probs &&
    probs.data.length === rows * classes &&
    typeof probs.data[0] !== 'string'
      ? Float64Array.from(probs.data as ArrayLike<number | bigint>, Number)
      : null;
  return { prediction, probabilities };
}
