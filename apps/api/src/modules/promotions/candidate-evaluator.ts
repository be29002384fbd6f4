import type { EntityManager } from 'typeorm';
import type { AuditActor } from '../../common/audit';
import { badInput } from '../../common/errors';

/** What a promotion's evaluation gate asks for: champion and candidate on the same rows. */
export interface EvaluationAsk {
  workspaceId: string;
  /** The key that started the promotion (the evaluation job's seconds and audit row). */
  actor: AuditActor | null;
  championVersionId: string;
  candidateVersionId: string;
  datasetId: string;
  /** The column of actual values; null: the evaluator picks it (e.g. the training target). */
  target: string | null;
  metric: string;
}

/** Where an evaluation stands, as the gate reads it. */
export type EvaluationOutcome =
  | { state: 'pending' }
  | { state: 'failed'; reason: string }
  | {
      state: 'done';
      champion: number;
      candidate: number;
      /** How much worse the candidate is on the metric, in its units (positive: worse). */
      worseBy: number;
    };

/**
 * The evaluation gate's one dependency: start an evaluation of champion and candidate (inside
 * the promotion's own transaction, so a refused promotion starts nothing) and read its outcome.
 * The evaluation jobs module implements it (apps/api/src/services.ts wires it).
 */
export interface CandidateEvaluator {
  /** Validates the ask and starts the job; returns its id. Throws a coded UserError when refused. */
  start(ask: EvaluationAsk, m: EntityManager): Promise<string>;
  /** The outcome of job `jobId` for `metric` (the candidate is the second version scored). */
  outcome(workspaceId: string, jobId: string, metric: string): Promise<EvaluationOutcome>;
}

/** The gate's error while no evaluator is wired: promotions without an evaluation still work. */
export const EVALUATION_UNAVAILABLE = 'EVALUATION_UNAVAILABLE';

/** An evaluator that refuses every ask with a coded BAD_USER_INPUT (reason EVALUATION_UNAVAILABLE). */
export const unavailableEvaluator: CandidateEvaluator = {
  start() {
    return Promise.reject(
      badInput(
        'Evaluation is not available on this server: promote without "evaluationDatasetId" (or an ADMIN may force)',
        { field: 'policy.evaluationDatasetId', reason: EVALUATION_UNAVAILABLE },
      ),
    );
  },
  outcome() {
    return Promise.resolve({
      state: 'failed',
      reason: 'evaluation is not available on this server',
    });
  },
};
