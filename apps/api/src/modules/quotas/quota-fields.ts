import type { Workspace } from '@maas/db';

/** The quotas of a workspace, by their GraphQL `Quota` field names; `null` is unlimited. */
export interface QuotaValues {
  maxModels: number | null;
  maxVersionsPerModel: number | null;
  maxStorageBytes: number | null;
  maxDatasetBytes: number | null;
  maxConcurrentJobs: number | null;
  maxQueuedJobs: number | null;
  maxPredictionsPerDay: number | null;
  maxTokensPerDay: number | null;
  requestsPerSecond: number | null;
}

export type QuotaName = keyof QuotaValues;

const INT4_MAX = 2_147_483_647;

/**
 * The largest value each quota accepts (from `setWorkspaceQuota` or a `QUOTA_DEFAULT_*`
 * variable): the counts fit the integer columns, the byte and per-day figures a JSON number.
 */
export const QUOTA_MAXIMA: Readonly<Record<QuotaName, number>> = {
  maxModels: 1_000_000,
  maxVersionsPerModel: 1_000_000,
  maxStorageBytes: Number.MAX_SAFE_INTEGER,
  maxDatasetBytes: Number.MAX_SAFE_INTEGER,
  maxConcurrentJobs: 10_000,
  maxQueuedJobs: 1_000_000,
  maxPredictionsPerDay: Number.MAX_SAFE_INTEGER,
  maxTokensPerDay: Number.MAX_SAFE_INTEGER,
  requestsPerSecond: Math.min(INT4_MAX, 1_000_000),
};

export const QUOTA_NAMES = Object.keys(QUOTA_MAXIMA) as QuotaName[];

/** A workspace row's quota columns. */
export function quotaOf(ws: Workspace): QuotaValues {
  const out = {} as QuotaValues;
  for (const name of QUOTA_NAMES) out[name] = ws[name];
  return out;
}
