import { ModelVersion, TrainingJob as JobRow } from '@maas/db';
import { In, type EntityManager } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import type {
  CandidateEvaluator,
  EvaluationAsk,
  EvaluationOutcome,
  StartedEvaluation,
} from '../promotions/candidate-evaluator';
import { gateMetric } from './candidate-verdict';
import type { EvaluationService } from './evaluation.service';

/**
 * A promotion's evaluation gate, run by evaluation jobs (docs/api.md, "Promotion"): one
 * {@link EvaluationService.evaluateCandidate} of `[champion, candidate]`, judged by its
 * {@link EvaluationService.verdict}. It only fills in what the policy left out: the metric (by
 * the versions' task) and the target (the column the candidate, else the champion, was trained on).
 */
export class EvaluationGate implements CandidateEvaluator {
  constructor(private readonly evaluation: EvaluationService) {}

  async start(ask: EvaluationAsk, m: EntityManager): Promise<StartedEvaluation> {
    const rows = await m.getRepository(ModelVersion).find({
      where: {
        id: In([ask.candidateVersionId, ask.championVersionId]),
        workspaceId: ask.workspaceId,
      },
    });
    const candidate = rows.find((v) => v.id === ask.candidateVersionId);
    const champion = rows.find((v) => v.id === ask.championVersionId);
    if (!candidate) throw notFound(`Model version ${ask.candidateVersionId} does not exist`);
    if (!champion) throw notFound(`Model version ${ask.championVersionId} does not exist`);
    // Evaluation scores a version with labels as a classifier (evaluate-versions.ts).
    const classifier = (candidate.signature.labels?.length ?? 0) > 0;
    const metric = gateMetric(ask.metric, classifier, 'policy.metric');
    const target = ask.target ?? (await trainingTarget(m, [candidate, champion]));
    const job = await this.evaluation.evaluateCandidate(
      { workspaceId: ask.workspaceId, actor: ask.actor },
      {
        championVersionId: champion.id,
        candidateVersionId: candidate.id,
        datasetId: ask.datasetId,
        target,
      },
      m,
    );
    return { jobId: job.id, metric, target };
  }

  async outcome(
    workspaceId: string,
    jobId: string,
    metric: string,
    maxRegression: number,
  ): Promise<EvaluationOutcome> {
    const verdict = await this.evaluation.verdict(workspaceId, jobId, metric, maxRegression);
    if (!verdict) return { state: 'error', reason: `evaluation job ${jobId} no longer exists` };
    switch (verdict.outcome) {
      case 'PENDING':
        return { state: 'pending' };
      case 'ERROR':
        return { state: 'error', reason: verdict.reason };
      default:
        return {
          state: verdict.outcome === 'PASSED' ? 'passed' : 'failed',
          champion: verdict.champion,
          candidate: verdict.candidate,
          worseBy: verdict.worseBy,
        };
    }
  }
}

/** The target of the first version in `versions` that was trained; BAD_USER_INPUT when none was. */
async function trainingTarget(m: EntityManager, versions: readonly ModelVersion[]) {
  const jobIds = versions.map((v) => v.trainingJobId).filter((id): id is string => id !== null);
  const jobs = jobIds.length
    ? await m.getRepository(JobRow).find({ where: { id: In(jobIds) } })
    : [];
  for (const id of jobIds) {
    const job = jobs.find((j) => j.id === id);
    if (job) return job.target;
  }
  throw badInput(
    'Neither the candidate nor the champion was trained here, so there is no training target: name the dataset column of actual values in "evaluationTarget"',
    { field: 'policy.evaluationTarget' },
  );
}
