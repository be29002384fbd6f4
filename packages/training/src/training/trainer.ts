import { TrainingError } from '../errors';
import { type Hyperparameters, resolveHyperparameters } from '../hyperparameters';
import { exportOnnx } from '../export/onnx-export';
import type { ExportedModelState } from '../model/model.types';
import { CHUNK_ROWS, Network } from '../model/network';
import { MetricsAccumulator, type Targets } from '../model/objective';
import {
  importanceRowLimit,
  importanceRows,
  permutationImportance,
  type FeatureImportance,
} from '../model/permutation-importance';
import { learningRateAt, type Optimizer } from '../model/optimizer';
import type { SeededRandom } from '../model/random';
import { statisticsPayOff } from '../model/squared-error-statistics';
import { layerSizes, paramsToLayers, type ModelSpec } from '../model/tabular';
import { prepareTraining, type PreparedData } from './prepare';
import { withParentShape } from './warm-start';
import {
  checkResumable,
  linearStatistics,
  signatureOf,
  specOf,
  startingPoint,
  type LinearStatistics,
} from './trainer-setup';
import type {
  EpochResult,
  Trainer,
  TrainerCheckpoint,
  TrainerOptions,
  TrainingEpochMetrics,
  TrainingResult,
} from './trainer.types';

/** Not part of the public API: lets tests compare the two paths of full-batch linear regression. */
export interface TrainerInternals {
  /** false: full-batch linear regression takes the per-row path even where statistics pay off. */
  sufficientStatistics?: boolean;
}

type EpochLosses = Pick<EpochResult, 'loss' | 'validationLoss' | 'metrics'>;

/**
 * Creates a trainer: validates the hyperparameters, target and features, prepares the design
 * matrices and initialises (or restores, or warm-starts) the weights. Deterministic: the same
 * dataset, options and seed give bit-identical weights, also across checkpoint and resume.
 */
export function createTrainer(options: TrainerOptions): Trainer {
  return new GradientTrainer(options);
}

/** The {@link Trainer} behind {@link createTrainer} (exported for tests, not from the package). */
export class GradientTrainer implements Trainer {
  readonly algorithm: TrainerOptions['algorithm'];
  readonly hyperparameters: Hyperparameters;
  readonly spec: ModelSpec;
  readonly trainingRows: number;
  readonly validationRows: number;
  readonly droppedRows: number;
  epoch = 0;
  stoppedEarly = false;

  private readonly data: PreparedData;
  private readonly network: Network;
  private readonly grads: Float64Array;
  private readonly optimizer: Optimizer;
  private readonly random: SeededRandom;
  private readonly order: Int32Array;
  private readonly chunkX: Float64Array;
  private readonly chunkY: Targets;
  private readonly trainMetrics: MetricsAccumulator;
  private readonly validationMetrics: MetricsAccumulator;
  private readonly datasetRows: number;
  /** Linear regression takes the one-pass Network.squaredErrorStep. */
  private readonly fusedLinear: boolean;
  /**
   * Full-batch linear regression: each epoch's gradient and losses come from sufficient
   * statistics of the training (and validation) rows, built on the first epoch run (derived
   * data: never in a checkpoint), instead of passes over the rows.
   */
  readonly usesStatistics: boolean;
  /** Design-matrix rows read so far, by epochs and finish() (tests count data passes). */
  rowsRead = 0;
  private statistics: LinearStatistics | null = null;
  private readonly sums = new Float64Array(2);
  private best: { loss: number; epoch: number; params: Float64Array } | null = null;
  private epochsSinceBest = 0;
  private failed: TrainingError | null = null;

  constructor(options: TrainerOptions, internals: TrainerInternals = {}) {
    this.algorithm = options.algorithm;
    this.hyperparameters = resolveHyperparameters(
      options.algorithm,
      withParentShape(options.algorithm, options.hyperparameters, options.warmStart),
    );
    const hp = this.hyperparameters;
    const saved = options.checkpoint;
    if (saved) checkResumable(saved, options, hp);
    this.data = prepareTraining({
      algorithm: options.algorithm,
      dataset: options.dataset,
      target: options.target,
      features: options.features ?? saved?.features,
      hyperparameters: hp,
      fixedSpec: saved?.spec ?? (options.warmStart ? specOf(options.warmStart) : undefined),
    });
    this.spec = this.data.spec;
    this.trainingRows = this.data.trainRows;
    this.validationRows = this.data.validationRows;
    this.droppedRows = this.data.droppedRows;
    this.datasetRows = options.dataset.rowCount;
    if (saved && saved.trainingRows !== this.trainingRows) {
      throw new TrainingError(
        `the checkpoint was made with ${saved.trainingRows} training rows, this dataset gives ${this.trainingRows}: it is not the same dataset`,
      );
    }

    const sizes = layerSizes(this.spec);
    this.network = new Network(sizes);
    this.fusedLinear = this.network.isSingleUnit && this.spec.head === 'identity';
    this.grads = new Float64Array(this.network.params.length);
    const D = sizes[0] as number;
    this.chunkX = new Float64Array(CHUNK_ROWS * D);
    this.chunkY =
      this.spec.head === 'identity' ? new Float64Array(CHUNK_ROWS) : new Int32Array(CHUNK_ROWS);
    this.order = new Int32Array(this.trainingRows);
    this.trainMetrics = this.accumulator();
    this.validationMetrics = this.accumulator();

    const start = startingPoint(this.network, sizes, hp, saved, options.warmStart);
    this.optimizer = start.optimizer;
    this.random = start.random;
    if (saved) {
      this.epoch = saved.epoch;
      this.epochsSinceBest = saved.epochsSinceBest;
      this.stoppedEarly = saved.stoppedEarly;
      this.best = saved.best && { ...saved.best, params: Float64Array.from(saved.best.params) };
    }
    this.usesStatistics =
      internals.sufficientStatistics !== false &&
      this.fusedLinear &&
      this.data.trainY instanceof Float64Array &&
      hp.batchSize >= this.trainingRows &&
      statisticsPayOff(this.trainingRows, this.validationRows, D, hp.epochs);
  }

  get done(): boolean {
    return this.stoppedEarly || this.epoch >= this.hyperparameters.epochs;
  }

  runEpoch(): EpochResult {
    if (this.failed) throw this.failed;
    if (this.done)
      throw new TrainingError(
        `training is done (${this.epoch} epochs${this.stoppedEarly ? ', stopped early' : ''}): call finish()`,
      );
    const { loss, validationLoss, metrics } = this.usesStatistics
      ? this.statisticsEpoch()
      : this.rowsEpoch();
    const hp = this.hyperparameters;
    this.epoch++;
    if (!Number.isFinite(loss) || (validationLoss !== null && !Number.isFinite(validationLoss))) {
      this.failed = new TrainingError(
        `training diverged at epoch ${this.epoch}: the loss became ${Number.isFinite(loss) ? String(validationLoss) : String(loss)}, not a finite number. ` +
          `Try a smaller learningRate than ${hp.learningRate}${hp.standardize ? '' : ' or standardize: true'}.`,
      );
      throw this.failed;
    }
    this.trackBest(validationLoss ?? loss);
    return {
      epoch: this.epoch,
      loss,
      validationLoss,
      metrics,
      done: this.done,
      stoppedEarly: this.stoppedEarly,
    };
  }

  // Mini-batches, or any model but a linear regression: passes over the rows, chunk by chunk.
  private rowsEpoch(): EpochLosses {
    const hp = this.hyperparameters;
    const n = this.trainingRows;
    const batch = Math.min(hp.batchSize, n);
    const shuffled = hp.shuffle && batch < n;
    if (shuffled) {
      // From the identity each epoch, so the generator's state alone (not the order) is checkpointed.
      for (let i = 0; i < n; i++) this.order[i] = i;
      this.random.shuffle(this.order);
    }
    const learningRate = learningRateAt(hp, this.epoch);
    this.trainMetrics.reset();
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(start + batch, n);
      this.grads.fill(0);
      if (this.fusedLinear && !shuffled) this.linearBatch(start, end);
      else
        for (let first = start; first < end; first += CHUNK_ROWS)
          this.trainChunk(first, Math.min(CHUNK_ROWS, end - first), 1 / (end - start), shuffled);
      if (hp.l2 > 0) this.addL2();
      this.optimizer.step(this.network.params, this.grads, learningRate);
    }
    const loss = this.trainMetrics.loss;
    let validationLoss: number | null = null;
    let metrics: TrainingEpochMetrics;
    if (this.validationRows > 0) {
      this.evaluate(
        this.data.validationX,
        this.data.validationY,
        this.validationRows,
        this.validationMetrics,
      );
      validationLoss = this.validationMetrics.loss;
      metrics = this.validationMetrics.metrics();
    } else {
      metrics = this.trainMetrics.metrics();
    }
    return { loss, validationLoss, metrics };
  }

  // Full-batch linear regression: the same step and losses as rowsEpoch's, in O(D²) per epoch.
  private statisticsEpoch(): EpochLosses {
    if (!this.statistics) {
      this.statistics = linearStatistics(this.data, this.network.sizes[0] as number);
      this.rowsRead += 2 * (this.trainingRows + this.validationRows);
    }
    const stats = this.statistics;
    const n = this.trainingRows;
    const scale = this.spec.targetScale;
    const params = this.network.params;
    this.grads.fill(0);
    const squares = stats.train.squaredError(params, this.grads, 1 / n);
    if (this.hyperparameters.l2 > 0) this.addL2();
    this.optimizer.step(params, this.grads, learningRateAt(this.hyperparameters, this.epoch));
    // As MetricsAccumulator.loss computes it.
    const loss = (squares / n) * (scale * scale);
    if (!stats.validation)
      return { loss, validationLoss: null, metrics: stats.train.metrics(squares, scale) };
    const validationSquares = stats.validation.squaredError(params, null, 0);
    return {
      loss,
      validationLoss: (validationSquares / this.validationRows) * (scale * scale),
      metrics: stats.validation.metrics(validationSquares, scale),
    };
  }

  *epochs(): Generator<EpochResult, void, void> {
    while (!this.done) yield this.runEpoch();
  }

  checkpoint(): TrainerCheckpoint {
    const optimizer = this.optimizer.state();
    return {
      formatVersion: 1,
      algorithm: this.algorithm,
      target: this.spec.target,
      features: this.spec.features.map((f) => f.name),
      hyperparameters: this.hyperparameters,
      datasetRows: this.datasetRows,
      trainingRows: this.trainingRows,
      spec: this.spec,
      epoch: this.epoch,
      params: Array.from(this.network.params),
      optimizer: { step: optimizer.step, moments: optimizer.moments.map((m) => Array.from(m)) },
      random: this.random.state(),
      best: this.best && {
        loss: this.best.loss,
        epoch: this.best.epoch,
        params: Array.from(this.best.params),
      },
      epochsSinceBest: this.epochsSinceBest,
      stoppedEarly: this.stoppedEarly,
    };
  }

  state(): ExportedModelState {
    return { ...this.spec, layers: paramsToLayers(this.network.sizes, this.exportedParams()) };
  }

  finish(): TrainingResult {
    const state = this.state();
    const network = new Network(this.network.sizes, this.exportedParams());
    const trainAcc = this.accumulator();
    this.evaluate(this.data.trainX, this.data.trainY, this.trainingRows, trainAcc, network);
    const trainingMetrics = trainAcc.metrics();
    let metrics = trainingMetrics;
    if (this.validationRows > 0) {
      const validationAcc = this.accumulator();
      this.evaluate(
        this.data.validationX,
        this.data.validationY,
        this.validationRows,
        validationAcc,
        network,
      );
      metrics = validationAcc.metrics();
    }
    return {
      onnx: exportOnnx(state),
      featureImportance: this.featureImportance(network),
      state,
      metrics,
      trainingMetrics,
      signature: signatureOf(this.spec),
      epochs: this.epoch,
      bestEpoch: this.usesBest() && this.best ? this.best.epoch : this.epoch,
      stoppedEarly: this.stoppedEarly,
    };
  }

  /**
   * Permutation importance of the exported weights on the validation rows (the training rows
   * without a validation split), a seeded sample of at most MAX_IMPORTANCE_ROWS of them: each
   * feature's design columns (its one-hot block for a categorical one) shuffled across rows, the
   * loss's mean increase over IMPORTANCE_REPEATS shuffles.
   */
  private featureImportance(network: Network): FeatureImportance[] {
    const useValidation = this.validationRows > 0;
    const X = useValidation ? this.data.validationX : this.data.trainX;
    const Y = useValidation ? this.data.validationY : this.data.trainY;
    const D = network.sizes[0] as number;
    const sizes = network.sizes;
    let weights = 0;
    for (let l = 1; l < sizes.length; l++)
      weights += (sizes[l - 1] as number) * (sizes[l] as number);
    const picked = importanceRows(
      useValidation ? this.validationRows : this.trainingRows,
      this.hyperparameters.seed,
      importanceRowLimit(this.spec.features.length, weights),
    );
    const rows = picked.length;
    const matrix = new Float64Array(rows * D);
    const targets: Targets =
      Y instanceof Float64Array ? new Float64Array(rows) : new Int32Array(rows);
    picked.forEach((row, i) => {
      matrix.set(X.subarray(row * D, (row + 1) * D), i * D);
      targets[i] = Y[row] as number;
    });
    // Design columns as writeDesign lays them out: numeric/boolean features, then one-hot blocks.
    const columns = new Map<string, number[]>();
    let next = 0;
    for (const f of this.spec.features) if (f.type !== 'categorical') columns.set(f.name, [next++]);
    for (const f of this.spec.features) {
      if (f.type !== 'categorical') continue;
      const block = Array.from({ length: f.categories?.length ?? 0 }, (_, i) => next + i);
      columns.set(f.name, block);
      next += block.length;
    }
    const acc = this.accumulator();
    return permutationImportance(
      {
        matrix,
        rows,
        width: D,
        features: this.spec.features.map((f) => ({
          name: f.name,
          columns: columns.get(f.name) ?? [],
        })),
        seed: this.hyperparameters.seed,
      },
      (permuted) => {
        this.evaluate(permuted, targets, rows, acc, network);
        return acc.loss;
      },
    );
  }

  private trainChunk(first: number, rows: number, gradientScale: number, shuffled: boolean): void {
    const D = this.network.sizes[0] as number;
    this.rowsRead += rows;
    const { trainX, trainY } = this.data;
    let X: Float64Array;
    let Y: Targets;
    let targetFirst: number;
    if (shuffled) {
      const x = this.chunkX;
      const y = this.chunkY;
      for (let r = 0; r < rows; r++) {
        const row = this.order[first + r] as number;
        // A plain copy loop: subarray() would allocate a view per row.
        for (let j = 0, from = row * D, to = r * D; j < D; j++)
          x[to + j] = trainX[from + j] as number;
        y[r] = trainY[row] as number;
      }
      X = x;
      Y = y;
      targetFirst = 0;
    } else {
      X = trainX.subarray(first * D, (first + rows) * D);
      Y = trainY;
      targetFirst = first;
    }
    if (this.fusedLinear && Y instanceof Float64Array) {
      // X starts at the chunk's first row, Y (in place) at the dataset's.
      this.linearStep(shuffled ? X : trainX, Y, targetFirst, targetFirst + rows, gradientScale);
      return;
    }
    const outputs = this.network.forward(X, rows);
    this.trainMetrics.add(outputs, rows, Y, targetFirst, this.network.outputDelta(), gradientScale);
    this.network.backward(X, rows, this.grads);
  }

  /** Linear regression on the training rows [start, end) in place (no shuffle): one pass. */
  private linearBatch(start: number, end: number): void {
    const { trainX, trainY } = this.data;
    this.rowsRead += end - start;
    if (trainY instanceof Float64Array)
      this.linearStep(trainX, trainY, start, end, 1 / (end - start));
  }

  // Forward, loss and gradient of a linear regression in one pass (Network.squaredErrorStep):
  // separate from trainChunk so that V8 inlines the kernel into a function with few live values.
  private linearStep(
    X: Float64Array,
    Y: Float64Array,
    from: number,
    to: number,
    gradientScale: number,
  ): void {
    const sums = this.sums;
    sums.fill(0);
    this.network.squaredErrorStep(X, Y, from, to, gradientScale, this.grads, sums);
    this.trainMetrics.addSquaredErrors(to - from, sums[0] as number, sums[1] as number, Y, from);
  }

  private addL2(): void {
    const l2 = this.hyperparameters.l2;
    const params = this.network.params;
    for (const [start, end] of this.network.weightRanges) {
      for (let i = start; i < end; i++)
        this.grads[i] = (this.grads[i] as number) + l2 * (params[i] as number);
    }
  }

  private evaluate(
    X: Float64Array,
    Y: Targets,
    rows: number,
    acc: MetricsAccumulator,
    network = this.network,
  ): void {
    const D = network.sizes[0] as number;
    this.rowsRead += rows;
    acc.reset();
    for (let first = 0; first < rows; first += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows - first);
      acc.add(
        network.forward(X.subarray(first * D, (first + count) * D), count),
        count,
        Y,
        first,
        null,
        0,
      );
    }
  }

  private accumulator(): MetricsAccumulator {
    const { head, labels, targetOffset, targetScale } = this.spec;
    return new MetricsAccumulator(head, labels?.length ?? 0, targetOffset, targetScale);
  }

  private usesBest(): boolean {
    return this.hyperparameters.earlyStoppingPatience > 0;
  }

  // Early stopping watches the validation loss (the training loss without a validation split).
  private trackBest(loss: number): void {
    if (!this.usesBest()) return;
    if (this.best === null) {
      this.best = { loss, epoch: this.epoch, params: Float64Array.from(this.network.params) };
    } else if (loss < this.best.loss) {
      this.best.loss = loss;
      this.best.epoch = this.epoch;
      this.best.params.set(this.network.params);
      this.epochsSinceBest = 0;
    } else if (++this.epochsSinceBest >= this.hyperparameters.earlyStoppingPatience) {
      this.stoppedEarly = true;
    }
  }

  private exportedParams(): Float64Array {
    return this.usesBest() && this.best ? this.best.params : this.network.params;
  }
}
