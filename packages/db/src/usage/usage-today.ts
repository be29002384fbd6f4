import type { EntityManager } from 'typeorm';

/** The start (UTC midnight) of the day bucket that `at` falls in: daily quotas reset then. */
export function utcDayStart(at: Date = new Date()): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/**
 * A workspace's metered predictions (rows) and generated tokens so far today (UTC), as flushed to
 * `usage_counters` by every replica. The one query for "today", used by the quota usage figures
 * and by the in-memory daily-quota counters when they resynchronise.
 */
export async function usageToday(
  m: Pick<EntityManager, 'query'>,
  workspaceIds: readonly string[],
  at: Date = new Date(),
): Promise<Map<string, { predictions: number; tokens: number }>> {
  const totals = new Map<string, { predictions: number; tokens: number }>();
  if (workspaceIds.length === 0) return totals;
  const rows = await m.query<{ workspace_id: string; predictions: string; tokens: string }[]>(
    `SELECT workspace_id, SUM(prediction_rows) AS predictions, SUM(completion_tokens) AS tokens
       FROM usage_counters
      WHERE granularity = 'day' AND bucket_start = $1 AND workspace_id = ANY($2)
      GROUP BY workspace_id`,
    [utcDayStart(at), workspaceIds],
  );
  for (const id of workspaceIds) totals.set(id, { predictions: 0, tokens: 0 });
  for (const r of rows)
    totals.set(r.workspace_id, { predictions: Number(r.predictions), tokens: Number(r.tokens) });
  return totals;
}
