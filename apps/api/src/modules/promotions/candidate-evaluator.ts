import type { EntityManager } from 'typeorm';
import type { AuditActor } from '../../common/audit';

/** What a promotion's evaluation gate asks for: champion and candidate on the same rows. */
export interface EvaluationAsk {
  workspaceId: string;
  /** The key that started the promotion (the evaluation job's seconds and audit row). */
  actor: AuditActor | null;
  championVersionId: string;
  candidateVersionId: string;
  datasetId: string;
  /** The column of actual values; null: the evaluator picks it (the training target). */
  target: string | null;
  /** The metric the gate judges; null: the evaluator picks it (by the versions' task). */
  metric: string | null;
}

/** An evaluation the gate started: the job, and the metric and target it settled on. */
export interface StartedEvaluation {
  jobId: string;
  metric: string;
  target: string;
}

/** Where an evaluation stands, as the gate reads it. */
export type EvaluationOutcome =
  | { state: 'pending' }
  /** The job FAILED or was CANCELLED, or has no figures for the metric: `reason` says which. */
  | { state: 'error'; reason: string }
  | {
      /** passed: worse by at most the margin; failed: worse by more. */
      state: 'passed' | 'failed';
      champion: number;
      candidate: number;
      /** How much worse the candidate is on the metric, in its units (positive: worse). */
      worseBy: number;
    };

/**
 * The evaluation gate's one dependency: start an evaluation of champion and candidate (inside
 * the promotion's own transaction, so a refused promotion starts nothing) and read its outcome.
 * The evaluation jobs module implements it (evaluation/promotion-gate.ts; services.ts wires it).
 */
export interface CandidateEvaluator {
  /** Validates the ask and starts the job. Throws a coded UserError when refused. */
  start(ask: EvaluationAsk, m: EntityManager): Promise<StartedEvaluation>;
  /** The outcome of job `jobId` on `metric` with margin `maxRegression` (candidate second). */
  outcome(
    workspaceId: string,
    jobId: string,
    metric: string,
    maxRegression: number,
  ): Promise<EvaluationOutcome>;
}
