import {
  HIGHER_IS_BETTER_METRICS,
  LOWER_IS_BETTER_METRICS,
  metricRegression,
} from '@maas/training';
import type { EvaluationJob } from './evaluation.types';

/** Every metric an evaluation reports (regression and classification). */
export const EVALUATION_METRICS: readonly string[] = [
  ...LOWER_IS_BETTER_METRICS,
  ...HIGHER_IS_BETTER_METRICS,
];

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
