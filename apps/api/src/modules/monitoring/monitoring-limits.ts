import type { MonitoringThresholdsRecord } from '@maas/db';
import { badInput } from '../../common/errors';

/** deploymentMonitoring's bucket size, seconds. */
export const MIN_BUCKET_SECONDS = 10;
export const MAX_BUCKET_SECONDS = 86_400;
/** Its window: at most 30 days, and at most this many buckets. */
export const MAX_WINDOW_SECONDS = 30 * 86_400;
export const MAX_BUCKETS = 1000;
/** Logged predictions one monitoring read bins (the most recent in the window). */
export const MAX_MONITORED_PREDICTIONS = 5000;
/** Logged records (batch rows) those may hold together, about. */
export const MAX_MONITORED_RECORDS = 50_000;
/** Feature values (records × features) one read bins, about: fewer records for wide models. */
export const MAX_MONITORED_VALUES = 1_000_000;
/** Feedback rows one read turns into online metrics (those on the most recent predictions). */
export const MAX_MONITORED_FEEDBACK = 20_000;
/**
 * Logged records a version needs behind its drift for `maxInputDrift` (retraining's trigger) to
 * count it: the PSI of a handful of records over 10 bins is large whatever their distribution.
 */
export const MIN_DRIFT_SAMPLES = 100;
/** Alerts listed with a deployment's monitoring. */
export const MAX_LISTED_ALERTS = 100;

export const DEFAULT_THRESHOLD_WINDOW_SECONDS = 3600;
export const DEFAULT_MIN_SAMPLES = 30;
const MIN_THRESHOLD_WINDOW_SECONDS = 60;
const MAX_THRESHOLD_WINDOW_SECONDS = 86_400;
const MAX_MIN_SAMPLES = 1_000_000;
const MAX_P99_LIMIT_MS = 3_600_000;

/** Checks deploymentMonitoring's window and bucket sizes (BAD_USER_INPUT naming the argument). */
export function checkWindow(windowSeconds: number, bucketSeconds: number): void {
  if (
    !Number.isInteger(bucketSeconds) ||
    bucketSeconds < MIN_BUCKET_SECONDS ||
    bucketSeconds > MAX_BUCKET_SECONDS
  )
    throw badInput(
      `"bucketSeconds" must be a whole number from ${MIN_BUCKET_SECONDS} to ${MAX_BUCKET_SECONDS}, got ${bucketSeconds}`,
      { field: 'bucketSeconds' },
    );
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS)
    throw badInput(
      `"windowSeconds" must be a whole number from 1 to ${MAX_WINDOW_SECONDS} (30 days), got ${windowSeconds}`,
      { field: 'windowSeconds' },
    );
  if (windowSeconds < bucketSeconds)
    throw badInput(
      `"windowSeconds" (${windowSeconds}) must be at least "bucketSeconds" (${bucketSeconds})`,
      { field: 'windowSeconds' },
    );
  const buckets = Math.ceil(windowSeconds / bucketSeconds);
  if (buckets > MAX_BUCKETS)
    throw badInput(
      `${windowSeconds} s in buckets of ${bucketSeconds} s are ${buckets} buckets, more than ${MAX_BUCKETS}: use larger buckets or a shorter window`,
      { field: 'bucketSeconds', max: MAX_BUCKETS },
    );
}

/** What setMonitoringThresholds takes (the GraphQL input, fields all optional). */
export interface ThresholdArgs {
  windowSeconds?: number | null;
  minSamples?: number | null;
  maxInputDrift?: number | null;
  maxPredictionDrift?: number | null;
  maxErrorRate?: number | null;
  maxP99LatencyMs?: number | null;
  maxOnlineMae?: number | null;
  maxOnlineRmse?: number | null;
  minOnlineAccuracy?: number | null;
  maxOnlineLogLoss?: number | null;
}

function limit(
  args: ThresholdArgs,
  name: keyof ThresholdArgs,
  min: number,
  max: number,
  minInclusive: boolean,
): number | null {
  const value = args[name];
  if (value === undefined || value === null) return null;
  const low = minInclusive ? value >= min : value > min;
  if (!Number.isFinite(value) || !low || value > max)
    throw badInput(
      `"${name}" must be ${minInclusive ? `from ${min}` : `above ${min}`}${Number.isFinite(max) ? ` and at most ${max}` : ''}, got ${value}`,
      { field: `thresholds.${name}` },
    );
  return value;
}

function whole(
  args: ThresholdArgs,
  name: 'windowSeconds' | 'minSamples',
  min: number,
  max: number,
  fallback: number,
): number {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    throw badInput(`"${name}" must be a whole number from ${min} to ${max}, got ${value}`, {
      field: `thresholds.${name}`,
    });
  return value;
}

/** The thresholds as stored, checked, with their defaults; at least one limit must be set. */
export function checkThresholds(args: ThresholdArgs): MonitoringThresholdsRecord {
  const record: MonitoringThresholdsRecord = {
    windowSeconds: whole(
      args,
      'windowSeconds',
      MIN_THRESHOLD_WINDOW_SECONDS,
      MAX_THRESHOLD_WINDOW_SECONDS,
      DEFAULT_THRESHOLD_WINDOW_SECONDS,
    ),
    minSamples: whole(args, 'minSamples', 1, MAX_MIN_SAMPLES, DEFAULT_MIN_SAMPLES),
    maxInputDrift: limit(args, 'maxInputDrift', 0, Infinity, false),
    maxPredictionDrift: limit(args, 'maxPredictionDrift', 0, Infinity, false),
    maxErrorRate: limit(args, 'maxErrorRate', 0, 1, true),
    maxP99LatencyMs: limit(args, 'maxP99LatencyMs', 0, MAX_P99_LIMIT_MS, false),
    maxOnlineMae: limit(args, 'maxOnlineMae', 0, Infinity, false),
    maxOnlineRmse: limit(args, 'maxOnlineRmse', 0, Infinity, false),
    minOnlineAccuracy: limit(args, 'minOnlineAccuracy', 0, 1, true),
    maxOnlineLogLoss: limit(args, 'maxOnlineLogLoss', 0, Infinity, false),
  };
  const { windowSeconds: _w, minSamples: _m, ...limits } = record;
  if (Object.values(limits).every((v) => v === null))
    throw badInput(
      'Set at least one limit (maxInputDrift, maxPredictionDrift, maxErrorRate, maxP99LatencyMs, maxOnlineMae, maxOnlineRmse, minOnlineAccuracy, maxOnlineLogLoss); clearMonitoringThresholds removes them all',
      { field: 'thresholds' },
    );
  return record;
}
