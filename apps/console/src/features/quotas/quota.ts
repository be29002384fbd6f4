// A workspace's quotas beside its usage, as the dashboard, the Usage page and the Workspaces page
// show them: which usage figure each limit caps, how it is formatted, how close it is.
import type { QuotaFieldsFragment, WorkspaceUsageFieldsFragment } from '@/gql/graphql';
import { formatBytes, formatCount } from '@/lib/format';

export type QuotaName = keyof Omit<QuotaFieldsFragment, '__typename'>;
export type QuotaKind = 'count' | 'bytes' | 'rate';

export interface QuotaDefinition {
  quota: QuotaName;
  label: string;
  kind: QuotaKind;
  /** The usage figure this limit caps; none for limits checked per request (versions, rate). */
  usage?: keyof Omit<WorkspaceUsageFieldsFragment, '__typename'>;
  hint: string;
}

/** Every quota, in the order the console lists them. */
export const quotaDefinitions: readonly QuotaDefinition[] = [
  { quota: 'maxModels', label: 'Models', kind: 'count', usage: 'models', hint: 'models' },
  {
    quota: 'maxVersionsPerModel',
    label: 'Versions per model',
    kind: 'count',
    hint: 'versions of one model',
  },
  {
    quota: 'maxStorageBytes',
    label: 'Storage',
    kind: 'bytes',
    usage: 'storageBytes',
    hint: 'models and datasets, each stored byte once',
  },
  {
    quota: 'maxDatasetBytes',
    label: 'Datasets',
    kind: 'bytes',
    usage: 'datasetBytes',
    hint: 'bytes of uploaded datasets',
  },
  {
    quota: 'maxConcurrentJobs',
    label: 'Running jobs',
    kind: 'count',
    usage: 'runningJobs',
    hint: 'training jobs at once; more wait',
  },
  {
    quota: 'maxQueuedJobs',
    label: 'Queued jobs',
    kind: 'count',
    usage: 'queuedJobs',
    hint: 'training jobs waiting',
  },
  {
    quota: 'maxPredictionsPerDay',
    label: 'Predictions today',
    kind: 'count',
    usage: 'predictionsToday',
    hint: 'prediction rows per UTC day',
  },
  {
    quota: 'maxTokensPerDay',
    label: 'Tokens today',
    kind: 'count',
    usage: 'tokensToday',
    hint: 'generated tokens per UTC day',
  },
  {
    quota: 'requestsPerSecond',
    label: 'Requests per second',
    kind: 'rate',
    hint: 'per API key',
  },
];

/** How full a quota is: amber from `nearFraction`, red from `fullFraction` and at the limit. */
export type QuotaLevel = 'unlimited' | 'ok' | 'near' | 'full';
export const nearFraction = 0.8;
export const fullFraction = 0.95;

export function quotaLevel(used: number, limit: number | null): QuotaLevel {
  if (limit === null) return 'unlimited';
  if (used >= limit) return 'full';
  const fraction = used / limit;
  if (fraction >= fullFraction) return 'full';
  if (fraction >= nearFraction) return 'near';
  return 'ok';
}

/** A quota's figure as the console prints it: bytes in KB/MB/GB, counts with separators. */
export function formatQuotaValue(value: number, kind: QuotaKind): string {
  if (kind === 'bytes') return formatBytes(value);
  if (kind === 'rate') return `${formatCount(value)}/s`;
  return formatCount(value);
}

/** A limit, or "unlimited" for null. */
export function formatLimit(limit: number | null, kind: QuotaKind): string {
  return limit === null ? 'unlimited' : formatQuotaValue(limit, kind);
}

export interface QuotaLine {
  definition: QuotaDefinition;
  used: number;
  limit: number | null;
  level: QuotaLevel;
}

/** The quotas that cap a usage figure, each with its usage, limit and level. */
export function quotaLines(
  quota: QuotaFieldsFragment,
  usage: WorkspaceUsageFieldsFragment,
  names?: readonly QuotaName[],
): QuotaLine[] {
  return quotaDefinitions
    .filter((d) => d.usage && (!names || names.includes(d.quota)))
    .map((definition) => {
      const used = definition.usage ? usage[definition.usage] : 0;
      const limit = quota[definition.quota];
      return { definition, used, limit, level: quotaLevel(used, limit) };
    });
}
