import { addColumnSums, gemm } from './kernels';
import type { RegressionMetrics } from './model.types';

/** Rows shifted into scratch per block while the statistics are summed (22 KB at width 11). */
const BLOCK_ROWS = 256;
/** Widest design matrix (one-hot expanded) the statistics are built for: the Gram matrix grows with its square. */
export const MAX_STATISTICS_INPUTS = 1024;

/** Regression metrics computed from sufficient statistics: no mae, which needs every residual. */
export type StatisticsRegressionMetrics = Omit<RegressionMetrics, 'mae'>;

/**
 * Whether full-batch training of a linear model with squared error is cheaper from sufficient
 * statistics than row by row: building them reads the rows twice and costs about D²/2
 * multiply-adds per row once, after which an epoch costs O(D²); the per-row path costs about 2·D
 * per training row (forward and gradient) and D per validation row, every epoch. Depends only on
 * the job's settings and row counts, so a resumed run takes the same path as the original.
 */
export function statisticsPayOff(
  trainRows: number,
  validationRows: number,
  inputs: number,
  epochs: number,
): boolean {
  if (inputs > MAX_STATISTICS_INPUTS) return false;
  const W = inputs + 1;
  const build = (trainRows + validationRows) * ((W * (W + 1)) / 2 + 2 * W);
  const perEpoch = (validationRows > 0 ? 2 : 1) * W * (W + 2);
  return build + epochs * perEpoch < epochs * (2 * trainRows + validationRows) * inputs;
}

/**
 * Sufficient statistics of a linear model's squared error over a fixed set of rows, so that the
 * sum of squared errors and its gradient at any weights cost O(D²) instead of a pass over the rows.
 *
 * With the rows shifted by their means, z_r = [x_r − μx, y_r − μy] (W = D + 1 values), it holds
 * G = Σ z zᵀ, s = Σ z and n. With v = [w, −1] and m = μx·w + b − μy the residual is
 * e_r = x_r·w + b − y_r = z_r·v + m, so
 *   Σe² = vᵀGv + 2m·(s·v) + n·m²,   Σe = s·v + n·m,   Σe·x_j = (Gv)_j + m·s_j + μx_j·Σe.
 * These hold for any shift (s keeps what the mean leaves); shifting by the mean keeps G at the
 * scale of the data's spread rather than its offset, which is what limits the cancellation in
 * vᵀGv when the fit is good. Sums are taken per block of rows and the block sums added with
 * Neumaier's compensation, in float64.
 */
export class SquaredErrorStatistics {
  private readonly q: Float64Array;
  private readonly v: Float64Array;

  private constructor(
    /** Rows summed. */
    readonly rows: number,
    /** D: the design matrix's width (the bias is not a column). */
    readonly inputs: number,
    /** μx then μy (W values). */
    private readonly shift: Float64Array,
    /** G, W × W, symmetric. */
    private readonly gram: Float64Array,
    /** s (W values). */
    private readonly sums: Float64Array,
  ) {
    this.q = new Float64Array(inputs + 1);
    this.v = new Float64Array(inputs + 1);
  }

  /**
   * Reads rows [0, rows) of the row-major design matrix `X` (`rows × inputs`) and their targets
   * `Y` twice: once for the means, once for G and s.
   */
  static build(
    X: Float64Array,
    Y: Float64Array,
    rows: number,
    inputs: number,
  ): SquaredErrorStatistics {
    const D = inputs;
    const W = D + 1;
    const shift = new Float64Array(W);
    for (let r = 0, x = 0; r < rows; r++, x += D) {
      for (let j = 0; j < D; j++) shift[j] = (shift[j] as number) + (X[x + j] as number);
      shift[D] = (shift[D] as number) + (Y[r] as number);
    }
    if (rows > 0) for (let j = 0; j < W; j++) shift[j] = (shift[j] as number) / rows;

    // Rows padded with zeros to a multiple of four values, so that gemm runs only its 4×4 blocks.
    const P = Math.ceil(W / 4) * 4;
    const block = new Float64Array(BLOCK_ROWS * P);
    const blockGram = new Float64Array(P * P);
    const blockSums = new Float64Array(P);
    const gram = new CompensatedSums(W * W);
    const sums = new CompensatedSums(W);
    for (let first = 0; first < rows; first += BLOCK_ROWS) {
      const count = Math.min(BLOCK_ROWS, rows - first);
      for (let r = 0, z = 0, x = first * D; r < count; r++, z += P, x += D) {
        for (let j = 0; j < D; j++) block[z + j] = (X[x + j] as number) - (shift[j] as number);
        block[z + D] = (Y[first + r] as number) - (shift[D] as number);
      }
      // Upper triangle of zᵀz, four rows of G at a time (the diagonal blocks also fill a few
      // entries below the diagonal, which are not used).
      for (let i = 0; i < P; i += 4) {
        gemm(
          4,
          P - i,
          count,
          block.subarray(i),
          1,
          P,
          block.subarray(i),
          P,
          1,
          blockGram.subarray(i * P + i),
          P,
          false,
        );
      }
      for (let i = 0; i < W; i++)
        for (let j = i; j < W; j++) gram.add(i * W + j, blockGram[i * P + j] as number);
      blockSums.fill(0);
      addColumnSums(blockSums, block, count, P);
      for (let j = 0; j < W; j++) sums.add(j, blockSums[j] as number);
    }
    const G = gram.totals();
    for (let i = 0; i < W; i++) for (let j = 0; j < i; j++) G[i * W + j] = G[j * W + i] as number;
    return new SquaredErrorStatistics(rows, D, shift, G, sums.totals());
  }

  /**
   * Σe² over the rows at `params` (weights w[0..D) then the bias b). When `grads` is given, adds
   * gradientScale · ∂(Σe²)/∂params to it, i.e. 2·gradientScale·Σ e·[x, 1], as the per-row
   * squared-error step does. Never negative (rounding near a perfect fit is clamped to 0).
   */
  squaredError(params: Float64Array, grads: Float64Array | null, gradientScale: number): number {
    const D = this.inputs;
    const W = D + 1;
    const { gram, sums, shift, q, v } = this;
    let m = params[D] as number;
    for (let j = 0; j < D; j++) {
      const w = params[j] as number;
      v[j] = w;
      m += (shift[j] as number) * w;
    }
    m -= shift[D] as number;
    v[D] = -1;
    let vGv = 0;
    let sv = 0;
    for (let i = 0, row = 0; i < W; i++, row += W) {
      let qi = 0;
      for (let j = 0; j < W; j++) qi += (gram[row + j] as number) * (v[j] as number);
      q[i] = qi;
      vGv += (v[i] as number) * qi;
      sv += (sums[i] as number) * (v[i] as number);
    }
    const errorSum = sv + this.rows * m;
    if (grads) {
      const g = 2 * gradientScale;
      for (let j = 0; j < D; j++)
        grads[j] =
          (grads[j] as number) +
          g * ((q[j] as number) + m * (sums[j] as number) + (shift[j] as number) * errorSum);
      grads[D] = (grads[D] as number) + g * errorSum;
    }
    // vᵀGv + 2m·(s·v) + n·m²; Math.max keeps a NaN (divergence is reported, not hidden).
    return Math.max(0, vGv + m * (sv + errorSum));
  }

  /**
   * mse, rmse and r² in the target's original units, given Σe² (scaled units) from
   * {@link squaredError} and the target's scale: as MetricsAccumulator reports them, without mae.
   */
  metrics(squaredErrorSum: number, targetScale: number): StatisticsRegressionMetrics {
    const n = this.rows;
    const D = this.inputs;
    const mse = (squaredErrorSum / n) * targetScale * targetScale;
    const sse = mse * n;
    // Σ(y − ȳ)² from the shifted target column: no cancellation against the target's offset.
    const t = this.sums[D] as number;
    const sst = ((this.gram[D * (D + 1) + D] as number) - (t * t) / n) * targetScale * targetScale;
    return { mse, rmse: Math.sqrt(mse), r2: sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0 };
  }
}

/** Running sums with Neumaier's compensation (Kahan's, also right when an addend outgrows the sum). */
class CompensatedSums {
  private readonly sum: Float64Array;
  private readonly compensation: Float64Array;

  constructor(size: number) {
    this.sum = new Float64Array(size);
    this.compensation = new Float64Array(size);
  }

  add(i: number, value: number): void {
    const s = this.sum[i] as number;
    const t = s + value;
    const lost = Math.abs(s) >= Math.abs(value) ? s - t + value : value - t + s;
    this.compensation[i] = (this.compensation[i] as number) + lost;
    this.sum[i] = t;
  }

  totals(): Float64Array {
    return this.sum.map((s, i) => s + (this.compensation[i] as number));
  }
}
