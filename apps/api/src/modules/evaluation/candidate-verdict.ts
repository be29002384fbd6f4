import {
  HIGHER_IS_BETTER_METRICS,
  LOWER_IS_BETTER_METRICS,
  metricRegression,
  type ClassificationMetrics,
  type RegressionMetrics,
} from '@maas/training';
import { badInput } from '../../common/errors';
import type { EvaluationJob } from './evaluation.types';

/** Every metric an evaluation reports (regression and classification). */
export const EVALUATION_METRICS: readonly string[] = [
  ...LOWER_IS_BETTER_METRICS,
  ...HIGHER_IS_BETTER_METRICS,
];

/** The metrics an evaluation reports for regressors (evaluate-versions.ts, regressionMetrics). */
export const REGRESSION_METRICS: readonly (keyof RegressionMetrics)[] = [
  'mse',
  'rmse',
  'mae',
  'r2',
];
/** The metrics it reports for classifiers (versions with labels; classificationMetrics). */
export const CLASSIFICATION_METRICS: readonly (keyof ClassificationMetrics)[] = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'logLoss',
];
/** The metric a gate judges when its policy names none: rmse for regressors, accuracy else. */
export const DEFAULT_GATE_METRIC = { regression: 'rmse', classification: 'accuracy' } as const;

/**
 * The metric a promotion's gate judges versions of this kind on: `metric`, or the default by
 * task. A metric evaluation does not report for them is BAD_USER_INPUT (`field`) naming those it does.
 */
export function gateMetric(metric: string | null, classifier: boolean, field: string): string {
  const known: readonly string[] = classifier ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  if (metric === null)
    return classifier ? DEFAULT_GATE_METRIC.classification : DEFAULT_GATE_METRIC.regression;
  if (!known.includes(metric))
    throw badInput(
      `An evaluation of ${classifier ? 'classifiers' : 'regressors'} reports ${known.map((m) => `"${m}"`).join(', ')}; "${metric.slice(0, 64)}" is not one of them`,
      { field },
    );
  return metric;
}

/**
 * What an evaluation of a champion (the job's first version) and a candidate (its second) says
 * about promoting the candidate on `metric`:
 * - `PENDING`: the job is QUEUED or RUNNING;
 * - `PASSED`: the candidate is worse than the champion by at most `maxRegression` (in the metric's
 *   units; 0: not worse at all);
 * - `FAILED`: it is worse by more;
 * - `ERROR`: the job FAILED or was CANCELLED, or the metric is missing (`reason` says which).
 */
export type CandidateVerdict =
  | { outcome: 'PENDING' }
  | {
      outcome: 'PASSED' | 'FAILED';
      champion: number;
      candidate: number;
      /** metricRegression(metric, champion, candidate): positive is worse. */
      worseBy: number;
    }
  | { outcome: 'ERROR'; reason: string };

/** The verdict of `job` (started with `[championId, candidateId]`) on `metric`. */
export function candidateVerdict(
  job: Pick<EvaluationJob, 'status' | 'error' | 'results'>,
  metric: string,
  maxRegression: number,
): CandidateVerdict {
  if (job.status === 'QUEUED' || job.status === 'RUNNING') return { outcome: 'PENDING' };
  if (job.status !== 'SUCCEEDED')
    return { outcome: 'ERROR', reason: job.error ?? `the evaluation was ${job.status}` };
  if (!EVALUATION_METRICS.includes(metric))
    return { outcome: 'ERROR', reason: `unknown metric "${metric}"` };
  const [first, second] = job.results;
  const champion = first?.metrics[metric];
  const candidate = second?.metrics[metric];
  if (typeof champion !== 'number' || typeof candidate !== 'number')
    return {
      outcome: 'ERROR',
      reason: `the evaluation has no "${metric}" for both versions (a deleted version, or the other task's metric)`,
    };
  const worseBy = metricRegression(metric, champion, candidate);
  return { outcome: worseBy <= maxRegression ? 'PASSED' : 'FAILED', champion, candidate, worseBy };
}
