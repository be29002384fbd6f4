import type { PromotionPolicyRecord, PromotionStepRecord } from '@maas/db';
import { badInput } from '../../common/errors';
import { assertId } from '../../common/scalars';
import { EVALUATION_METRICS } from '../evaluation/candidate-verdict';

/** Most rollout steps a policy has. */
export const MAX_ROLLOUT_STEPS = 10;
/** Most requests a step may wait for. */
export const MAX_STEP_REQUESTS = 1_000_000;
/** Longest a step may be held: a week. */
export const MAX_STEP_SECONDS = 7 * 86_400;
/** The steps of a policy that names none. */
export const DEFAULT_STEP_WEIGHTS = [10, 50, 100] as const;
/** The hold of a step that names neither minRequests nor minSeconds. */
export const DEFAULT_STEP_REQUESTS = 100;
export const DEFAULT_STEP_SECONDS = 60;
/** The error-rate limit of a policy that names none. */
export const DEFAULT_MAX_ERROR_RATE = 0.05;
/** Largest p99 latency limit, and the longest evaluation target name. */
const MAX_P99_LIMIT_MS = 600_000;
const MAX_TARGET_LENGTH = 200;
const MAX_METRIC_LENGTH = 64;

export interface RolloutStepArgs {
  weight: number;
  minRequests?: number | null;
  minSeconds?: number | null;
}

/** PromotionPolicyInput as the API receives it. */
export interface PromotionPolicyArgs {
  evaluationDatasetId?: string | null;
  evaluationTarget?: string | null;
  metric?: string | null;
  maxRegression?: number | null;
  steps?: RolloutStepArgs[] | null;
  maxErrorRate?: number | null;
  maxP99LatencyMs?: number | null;
  maxOnlineMae?: number | null;
  maxOnlineRmse?: number | null;
  minOnlineAccuracy?: number | null;
  maxOnlineLogLoss?: number | null;
  requireApproval?: boolean | null;
}

/** The largest error-like online limit (MAE, RMSE, log loss). */
const MAX_ONLINE_LIMIT = 1e9;

type OnlineLimitName = 'maxOnlineMae' | 'maxOnlineRmse' | 'minOnlineAccuracy' | 'maxOnlineLogLoss';

/**
 * The online-metric limits of a policy: the step's `onlineMetrics` key each one judges (the
 * figures of monitoring's onlineMetrics), and whether it is crossed above or below.
 */
const ONLINE_LIMITS: readonly {
  name: OnlineLimitName;
  metric: string;
  label: string;
  direction: 'max' | 'min';
  max: number;
}[] = [
  {
    name: 'maxOnlineMae',
    metric: 'mae',
    label: 'online MAE',
    direction: 'max',
    max: MAX_ONLINE_LIMIT,
  },
  {
    name: 'maxOnlineRmse',
    metric: 'rmse',
    label: 'online RMSE',
    direction: 'max',
    max: MAX_ONLINE_LIMIT,
  },
  {
    name: 'minOnlineAccuracy',
    metric: 'accuracy',
    label: 'online accuracy',
    direction: 'min',
    max: 1,
  },
  {
    name: 'maxOnlineLogLoss',
    metric: 'logLoss',
    label: 'online log loss',
    direction: 'max',
    max: MAX_ONLINE_LIMIT,
  },
];

function onlineLimits(a: PromotionPolicyArgs): Record<OnlineLimitName, number | null> {
  const out = {} as Record<OnlineLimitName, number | null>;
  for (const l of ONLINE_LIMITS) {
    const value = a[l.name];
    if (value != null && (!Number.isFinite(value) || value < 0 || value > l.max))
      field(l.name, `"${l.name}" must be from 0 to ${l.max}, got ${value}`);
    out[l.name] = value ?? null;
  }
  return out;
}

export interface CheckedPolicy {
  policy: PromotionPolicyRecord;
  steps: PromotionStepRecord[];
}

function field(name: string, message: string): never {
  throw badInput(message, { field: `policy.${name}` });
}

function boundedInt(value: number | null | undefined, name: string, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0 || value > max)
    field(name, `"${name}" must be an integer from 0 to ${max}, got ${value}`);
  return value;
}

function checkSteps(steps: RolloutStepArgs[] | null | undefined): PromotionStepRecord[] {
  const given: RolloutStepArgs[] = steps ?? DEFAULT_STEP_WEIGHTS.map((weight) => ({ weight }));
  if (given.length === 0 || given.length > MAX_ROLLOUT_STEPS)
    field('steps', `A policy has 1 to ${MAX_ROLLOUT_STEPS} rollout steps, got ${given.length}`);
  let previous = 0;
  return given
    .map((s, i) => {
      if (!Number.isInteger(s.weight) || s.weight < 1 || s.weight > 100)
        field('steps', `Step ${i + 1}: "weight" must be an integer from 1 to 100, got ${s.weight}`);
      if (s.weight <= previous)
        field(
          'steps',
          `Step weights must increase: step ${i + 1} has ${s.weight} after ${previous}`,
        );
      previous = s.weight;
      const minRequests = boundedInt(s.minRequests, 'minRequests', MAX_STEP_REQUESTS);
      const minSeconds = boundedInt(s.minSeconds, 'minSeconds', MAX_STEP_SECONDS);
      const neither = minRequests === null && minSeconds === null;
      return {
        weight: s.weight,
        minRequests: neither ? DEFAULT_STEP_REQUESTS : (minRequests ?? 0),
        minSeconds: neither ? DEFAULT_STEP_SECONDS : (minSeconds ?? 0),
        startedAt: null,
        endedAt: null,
        requests: 0,
        errors: 0,
        errorRate: null,
        p99LatencyMs: null,
        onlineMetrics: null,
        outcome: null,
      };
    })
    .map((step, i, all) => {
      if (i === all.length - 1 && step.weight !== 100)
        field(
          'steps',
          `The last step must have weight 100 (the candidate takes all traffic), got ${step.weight}`,
        );
      return step;
    });
}

/**
 * Checks a promotion policy and fills in its defaults (docs/api.md, "Promotion"): nothing is
 * read or written before it passes, so a refused policy changes nothing.
 */
export function checkPolicy(args: PromotionPolicyArgs | null | undefined): CheckedPolicy {
  const a = args ?? {};
  const datasetId =
    a.evaluationDatasetId == null
      ? null
      : assertId(a.evaluationDatasetId, 'policy.evaluationDatasetId');
  if (
    datasetId === null &&
    (a.metric != null || a.maxRegression != null || a.evaluationTarget != null)
  )
    field(
      'evaluationDatasetId',
      '"metric", "maxRegression" and "evaluationTarget" go with "evaluationDatasetId": name the dataset to evaluate on',
    );
  if (a.metric != null && !EVALUATION_METRICS.includes(a.metric))
    field(
      'metric',
      `"metric" is one of ${EVALUATION_METRICS.map((m) => `"${m}"`).join(', ')} (default: "rmse" for regressors, "accuracy" for classifiers), got "${a.metric.slice(0, MAX_METRIC_LENGTH)}"`,
    );
  if (
    a.maxRegression != null &&
    (!Number.isFinite(a.maxRegression) || a.maxRegression < 0 || a.maxRegression > 1e9)
  )
    field('maxRegression', `"maxRegression" must be from 0 to 1e9, got ${a.maxRegression}`);
  if (
    a.evaluationTarget != null &&
    (a.evaluationTarget.length === 0 || a.evaluationTarget.length > MAX_TARGET_LENGTH)
  )
    field(
      'evaluationTarget',
      `"evaluationTarget" is a column name of 1 to ${MAX_TARGET_LENGTH} characters`,
    );
  if (
    a.maxErrorRate != null &&
    (!Number.isFinite(a.maxErrorRate) || a.maxErrorRate < 0 || a.maxErrorRate > 1)
  )
    field('maxErrorRate', `"maxErrorRate" must be from 0 to 1, got ${a.maxErrorRate}`);
  if (
    a.maxP99LatencyMs != null &&
    (!Number.isFinite(a.maxP99LatencyMs) ||
      a.maxP99LatencyMs <= 0 ||
      a.maxP99LatencyMs > MAX_P99_LIMIT_MS)
  )
    field(
      'maxP99LatencyMs',
      `"maxP99LatencyMs" must be above 0 and at most ${MAX_P99_LIMIT_MS}, got ${a.maxP99LatencyMs}`,
    );
  const online = onlineLimits(a);
  const steps = checkSteps(a.steps);
  return {
    policy: {
      evaluationDatasetId: datasetId,
      evaluationTarget: a.evaluationTarget ?? null,
      metric: datasetId === null ? null : (a.metric ?? null),
      maxRegression: datasetId === null ? null : (a.maxRegression ?? 0),
      maxErrorRate: a.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE,
      maxP99LatencyMs: a.maxP99LatencyMs ?? null,
      ...online,
      requireApproval: a.requireApproval === true,
    },
    steps,
  };
}

/** What a step measured, against the policy's limits: the reason to roll back, or null. */
export function limitCrossed(
  policy: PromotionPolicyRecord,
  step: Pick<
    PromotionStepRecord,
    'requests' | 'errorRate' | 'p99LatencyMs' | 'weight' | 'onlineMetrics'
  >,
): string | null {
  if (
    policy.maxErrorRate !== null &&
    step.errorRate !== null &&
    step.errorRate > policy.maxErrorRate
  )
    return `At ${step.weight}% the candidate's error rate was ${round(step.errorRate)} over ${step.requests} request(s), above maxErrorRate ${policy.maxErrorRate}`;
  if (
    policy.maxP99LatencyMs !== null &&
    step.p99LatencyMs !== null &&
    step.p99LatencyMs > policy.maxP99LatencyMs
  )
    return `At ${step.weight}% the candidate's p99 latency was ${round(step.p99LatencyMs)} ms over ${step.requests} request(s), above maxP99LatencyMs ${policy.maxP99LatencyMs}`;
  for (const l of ONLINE_LIMITS) {
    const limit = policy[l.name] ?? null;
    const value = step.onlineMetrics?.[l.metric];
    if (limit === null || typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (l.direction === 'max' ? value > limit : value < limit)
      return `At ${step.weight}% the candidate's ${l.label} from feedback was ${round(value)}, ${l.direction === 'max' ? 'above' : 'below'} ${l.name} ${limit}`;
  }
  return null;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
