import { SeededRandom } from '@maas/training';
import { EXPLAIN_BATCH_VALUES } from './explanation-limits';
import type { RecordAttribution } from './exact-linear';

/** Reads the explained output of evaluated row `row` for record `record` (e.g. its predicted class). */
export type OutputReader = (row: number, record: number) => number;

export interface ShapleyProblem {
  /** The records explained, as model input: `recordCount × features` values. */
  records: Float32Array;
  recordCount: number;
  features: number;
  /** The background sample, as model input: `backgroundCount × features` values. */
  background: Float32Array;
  backgroundCount: number;
  /** Each record's explained output as served (the model run on the record itself). */
  served: ArrayLike<number>;
  seed: number;
  /** Runs the model on `count` rows (`count × features` values): one session run per call. */
  evaluate(rows: Float32Array, count: number): Promise<OutputReader>;
}

/** Model evaluations {@link samplingShapley} makes: the background once, then every chain's inner steps. */
export function shapleyEvaluations(records: number, features: number, background: number): number {
  return background + records * 2 * background * Math.max(0, features - 1);
}

/**
 * Sampled Shapley values with a background sample (interventional, permutation sampling with
 * antithetic pairs): for each record and each background row z, one random feature order and its
 * reverse. Along an order the features are switched from z's values to the record's one at a time
 * and each switch's change of the output is that feature's marginal contribution. Every order's
 * changes add up to f(x) − f(z), so the averaged contributions add up to f(x) − baseline exactly,
 * the baseline being the mean of f over the background (efficiency by construction). Unbiased;
 * exact for additive models, and for two features (a pair holds both orders).
 */
export async function samplingShapley(problem: ShapleyProblem): Promise<RecordAttribution[]> {
  const { records, recordCount: R, features: F, background, backgroundCount: B } = problem;
  const onBackground = await problem.evaluate(background, B);
  const baselines = Array.from({ length: R }, (_, r) => {
    let sum = 0;
    for (let p = 0; p < B; p++) sum += onBackground(p, r);
    return sum / B;
  });
  const phi = new Float64Array(R * F);
  const random = new SeededRandom(problem.seed, 2);
  const steps = F - 1;
  const chainsPerBatch = Math.max(1, Math.floor(EXPLAIN_BATCH_VALUES / (F * Math.max(1, steps))));
  let pending: { record: number; row: number; order: Int32Array }[] = [];

  const flush = async () => {
    const chains = pending;
    pending = [];
    let read: OutputReader = () => 0;
    if (steps > 0) {
      const rows = new Float32Array(chains.length * steps * F);
      chains.forEach(({ record, row, order }, c) => {
        const state = background.slice(row * F, row * F + F);
        for (let k = 0; k < steps; k++) {
          const f = order[k] as number;
          state[f] = records[record * F + f] as number;
          rows.set(state, (c * steps + k) * F);
        }
      });
      read = await problem.evaluate(rows, chains.length * steps);
    }
    chains.forEach(({ record, row, order }, c) => {
      let previous = onBackground(row, record);
      for (let k = 0; k < F; k++) {
        const value = k < steps ? read(c * steps + k, record) : (problem.served[record] as number);
        const f = order[k] as number;
        phi[record * F + f] = (phi[record * F + f] as number) + value - previous;
        previous = value;
      }
    });
  };

  for (let r = 0; r < R; r++) {
    for (let p = 0; p < B; p++) {
      const order = Int32Array.from({ length: F }, (_, i) => i);
      random.shuffle(order);
      pending.push(
        { record: r, row: p, order },
        { record: r, row: p, order: order.slice().reverse() },
      );
      if (pending.length >= chainsPerBatch) await flush();
    }
  }
  if (pending.length > 0) await flush();
  return baselines.map((baseline, r) => ({
    baseline,
    contributions: Array.from(phi.subarray(r * F, r * F + F), (v) => v / (2 * B)),
  }));
}
