import type { EntityManager } from 'typeorm';
import { NO_USAGE_DIMENSION } from '../entities/usage-counter.entity';

/** Usage to add to one workspace's counters; absent dimensions and amounts count as none / 0. */
export interface UsageDelta {
  workspaceId: string;
  apiKeyId?: string | null;
  modelId?: string | null;
  deploymentId?: string | null;
  requests?: number;
  predictionRows?: number;
  promptTokens?: number;
  completionTokens?: number;
  trainingSeconds?: number;
  feedbackRows?: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const floorTo = (at: Date, unitMs: number) => new Date(Math.floor(at.getTime() / unitMs) * unitMs);

/**
 * Adds `deltas` (all of them for the minute of `at`) to the minute, hour and UTC-day buckets of
 * `usage_counters` in one statement: the only writer of metered usage, for the API's flushes and
 * the workers' training seconds. Deltas with the same key are summed first.
 */
export async function recordUsage(
  m: Pick<EntityManager, 'query'>,
  deltas: readonly UsageDelta[],
  at: Date = new Date(),
): Promise<void> {
  const merged = new Map<string, Required<UsageDelta>>();
  for (const d of deltas) {
    const row: Required<UsageDelta> = {
      workspaceId: d.workspaceId,
      apiKeyId: d.apiKeyId ?? NO_USAGE_DIMENSION,
      modelId: d.modelId ?? NO_USAGE_DIMENSION,
      deploymentId: d.deploymentId ?? NO_USAGE_DIMENSION,
      requests: d.requests ?? 0,
      predictionRows: d.predictionRows ?? 0,
      promptTokens: d.promptTokens ?? 0,
      completionTokens: d.completionTokens ?? 0,
      trainingSeconds: d.trainingSeconds ?? 0,
      feedbackRows: d.feedbackRows ?? 0,
    };
    const key = `${row.workspaceId}|${row.apiKeyId}|${row.modelId}|${row.deploymentId}`;
    const prev = merged.get(key);
    if (!prev) merged.set(key, row);
    else {
      prev.requests += row.requests;
      prev.predictionRows += row.predictionRows;
      prev.promptTokens += row.promptTokens;
      prev.completionTokens += row.completionTokens;
      prev.trainingSeconds += row.trainingSeconds;
      prev.feedbackRows += row.feedbackRows;
    }
  }
  if (merged.size === 0) return;
  const rows = [...merged.values()];
  const column = <K extends keyof UsageDelta>(k: K) => rows.map((r) => r[k]);
  await m.query(
    `INSERT INTO usage_counters AS u (granularity, bucket_start, workspace_id, api_key_id, model_id,
            deployment_id, requests, prediction_rows, prompt_tokens, completion_tokens, training_seconds,
            feedback_rows)
     SELECT g.granularity, g.bucket_start, d.*
       FROM (VALUES ('minute', $1::timestamptz), ('hour', $2::timestamptz), ('day', $3::timestamptz))
              AS g(granularity, bucket_start)
      CROSS JOIN unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::bigint[], $9::bigint[],
                        $10::bigint[], $11::bigint[], $12::float8[], $13::bigint[])
              AS d(workspace_id, api_key_id, model_id, deployment_id, requests, prediction_rows,
                   prompt_tokens, completion_tokens, training_seconds, feedback_rows)
     ON CONFLICT (granularity, bucket_start, workspace_id, api_key_id, model_id, deployment_id)
     DO UPDATE SET requests = u.requests + EXCLUDED.requests,
                   prediction_rows = u.prediction_rows + EXCLUDED.prediction_rows,
                   prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
                   completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
                   training_seconds = u.training_seconds + EXCLUDED.training_seconds,
                   feedback_rows = u.feedback_rows + EXCLUDED.feedback_rows`,
    [
      floorTo(at, MINUTE_MS),
      floorTo(at, HOUR_MS),
      floorTo(at, DAY_MS),
      column('workspaceId'),
      column('apiKeyId'),
      column('modelId'),
      column('deploymentId'),
      column('requests'),
      column('predictionRows'),
      column('promptTokens'),
      column('completionTokens'),
      column('trainingSeconds'),
      column('feedbackRows'),
    ],
  );
}
