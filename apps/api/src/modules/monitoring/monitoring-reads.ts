import type { DataProfileRecord } from '@maas/db';
import type { DataSource } from 'typeorm';
import { emptyHistogram, LATENCY_BOUNDS_MS } from '../predictions/serving-stats';
import {
  MAX_MONITORED_FEEDBACK,
  MAX_MONITORED_PREDICTIONS,
  MAX_MONITORED_RECORDS,
  MAX_MONITORED_VALUES,
} from './monitoring-limits';

/**
 * The database reads behind deploymentMonitoring and the checker, each aggregated in PostgreSQL
 * and bounded: serving stats summed per bucket, logged records binned per bucket (the most recent
 * MAX_MONITORED_PREDICTIONS predictions of the window, about MAX_MONITORED_RECORDS records or
 * MAX_MONITORED_VALUES feature values), and the feedback pairs of the most recent
 * MAX_MONITORED_FEEDBACK feedback rows.
 */

/** A read's window: rows after `since`, in buckets of `bucketSeconds` (Infinity: one bucket). */
export interface ReadWindow {
  workspaceId: string;
  deploymentId: string;
  since: Date;
  bucketSeconds: number;
}

/** Bucket number of a moment (seconds since 1970 / bucketSeconds, floored); 0 for one bucket. */
const bucketSql = (column: string, param: string) =>
  `CASE WHEN ${param}::float8 = 'Infinity' THEN 0 ELSE floor(extract(epoch FROM ${column}) / ${param}::float8)::bigint END`;

const bucketParam = (w: ReadWindow) =>
  Number.isFinite(w.bucketSeconds) ? w.bucketSeconds : 'Infinity';

export const cellKey = (versionId: string, bucket: number) => `${versionId}|${bucket}`;

export interface StatsCell {
  versionId: string;
  bucket: number;
  requests: number;
  errors: number;
  histogram: number[];
}

/** Requests, errors and the latency histogram per version and bucket (deployment_stats). */
export async function readStatsCells(
  db: DataSource,
  w: ReadWindow,
): Promise<Map<string, StatsCell>> {
  const rows = await db.query<
    {
      version_id: string;
      b: string;
      kind: string;
      bucket: string | null;
      n: string;
      errors: string;
    }[]
  >(
    `WITH s AS (
       SELECT version_id, ${bucketSql('bucket_start', '$3')} AS b, requests, errors, latency_histogram
         FROM deployment_stats
        WHERE deployment_id = $1 AND workspace_id = $4 AND bucket_start > $2)
     SELECT version_id, b::text, 'sums' AS kind, NULL AS bucket, sum(requests)::text AS n,
            sum(errors)::text AS errors
       FROM s GROUP BY version_id, b
     UNION ALL
     SELECT s.version_id, s.b::text, 'latency', h.key, sum(h.value::numeric)::text, '0'
       FROM s, jsonb_each_text(s.latency_histogram) h
      WHERE h.value <> '0'
      GROUP BY s.version_id, s.b, h.key`,
    [w.deploymentId, w.since, bucketParam(w), w.workspaceId],
  );
  const index = new Map<string, number>(
    [...LATENCY_BOUNDS_MS.map(String), '+Inf'].map((k, i) => [k, i]),
  );
  const cells = new Map<string, StatsCell>();
  for (const row of rows) {
    const bucket = Number(row.b);
    const key = cellKey(row.version_id, bucket);
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        versionId: row.version_id,
        bucket,
        requests: 0,
        errors: 0,
        histogram: emptyHistogram(),
      };
      cells.set(key, cell);
    }
    if (row.kind === 'sums') {
      cell.requests += Number(row.n);
      cell.errors += Number(row.errors);
    } else {
      const i = row.bucket === null ? undefined : index.get(row.bucket);
      if (i !== undefined) cell.histogram[i] = (cell.histogram[i] ?? 0) + Number(row.n);
    }
  }
  return cells;
}

/** The versions whose predictions the window logged (of the sample the drift read bins). */
export async function readLoggedVersions(db: DataSource, w: ReadWindow): Promise<string[]> {
  const rows = await db.query<{ version_id: string }[]>(
    `SELECT DISTINCT version_id FROM (
       SELECT version_id FROM prediction_log
        WHERE deployment_id = $1 AND workspace_id = $2 AND status = 'ok' AND created_at > $3
        ORDER BY created_at DESC LIMIT $4) p`,
    [w.deploymentId, w.workspaceId, w.since, MAX_MONITORED_PREDICTIONS],
  );
  return rows.map((r) => r.version_id);
}

/** Reference bins the drift read bins against: per version, its features (ord ≥ 0) and predictions (ord −1). */
interface BinSpec {
  version_id: string;
  ord: number;
  feature: string;
  numeric: boolean;
  edges: number[] | null;
  categories: string[] | null;
  input: string | null;
}

export interface DriftCell {
  versionId: string;
  bucket: number;
  /** Per feature (profile order): observed counts in the reference's bins. */
  features: number[][];
  prediction: number[] | null;
  /** Logged records binned (the most of any feature). */
  records: number;
}

export interface DriftCounts {
  cells: Map<string, DriftCell>;
  /** The window held more logged predictions or records than were binned. */
  sampled: boolean;
}

const binCount = (b: { kind: string; edges?: number[]; categories?: string[] }) =>
  b.kind === 'numeric' ? (b.edges?.length ?? 0) + 1 : (b.categories?.length ?? 0);

/**
 * Counts the logged records of the window in each version's reference bins, per bucket: a
 * numeric value (a JSON number, a numeric string, a boolean as 0/1) rounded to float32 and put in
 * its `width_bucket` among the edges; a categorical value by its category (a record's label, or a
 * tensor input's index). Records come from `inputs` as predict stored them: an array of
 * {feature: value} records, or a tabular tensor `{input: [[...], ...]}` in feature order.
 */
export async function readDriftCounts(
  db: DataSource,
  w: ReadWindow,
  profiles: Map<string, { profile: DataProfileRecord; inputName: string | null }>,
): Promise<DriftCounts> {
  const specs: BinSpec[] = [];
  for (const [versionId, { profile, inputName }] of profiles) {
    profile.features.forEach((f, ord) => {
      if (binCount(f) < 1 || (f.kind === 'numeric' && (f.edges?.length ?? 0) === 0)) return;
      specs.push({
        version_id: versionId,
        ord,
        feature: f.feature,
        numeric: f.kind === 'numeric',
        edges: f.kind === 'numeric' ? (f.edges ?? []) : null,
        categories: f.kind === 'categorical' ? (f.categories ?? []) : null,
        input: inputName,
      });
    });
    const p = profile.prediction;
    if (p && binCount(p) > 0 && !(p.kind === 'numeric' && (p.edges?.length ?? 0) === 0))
      specs.push({
        version_id: versionId,
        ord: -1,
        feature: '',
        numeric: p.kind === 'numeric',
        edges: p.kind === 'numeric' ? (p.edges ?? []) : null,
        categories: p.kind === 'categorical' ? (p.categories ?? []) : null,
        input: null,
      });
  }
  const cells = new Map<string, DriftCell>();
  if (specs.length === 0) return { cells, sampled: false };
  // Records × features binned stays near MAX_MONITORED_VALUES, however wide the model.
  const widest = Math.max(1, ...[...profiles.values()].map((p) => p.profile.features.length + 1));
  const recordCap = Math.max(
    1,
    Math.min(MAX_MONITORED_RECORDS, Math.floor(MAX_MONITORED_VALUES / widest)),
  );
  const rows = await db.query<
    { version_id: string; b: string; ord: number; bin: number; n: number; sampled: boolean }[]
  >(
    `WITH p AS (
       SELECT version_id, created_at, inputs, outputs, greatest(coalesce(record_count, 1), 1) AS n
         FROM prediction_log
        WHERE deployment_id = $1 AND workspace_id = $2 AND status = 'ok'
          AND created_at > $3::timestamptz
        ORDER BY created_at DESC LIMIT $4::int + 1),
     q AS (SELECT *, row_number() OVER w AS i, sum(n) OVER w - n AS before
             FROM p WINDOW w AS (ORDER BY created_at DESC, version_id)),
     s AS (SELECT version_id, ${bucketSql('created_at', '$5')} AS b, inputs, outputs
             FROM q WHERE i <= $4::int AND before < $6::int),
     more AS (SELECT count(*) > $4::int OR coalesce(max(before) >= $6::int, false) AS sampled FROM q),
     f AS (SELECT * FROM jsonb_to_recordset($7::jsonb)
             AS f(version_id uuid, ord int, feature text, "numeric" boolean, edges float8[],
                  categories text[], input text)),
     cells AS (
       SELECT s.version_id, s.b, f.ord, f."numeric", f.edges, f.categories, rec -> f.feature AS v,
              false AS indexed
         FROM s JOIN f ON f.version_id = s.version_id AND f.ord >= 0
        CROSS JOIN LATERAL jsonb_array_elements(
              CASE WHEN jsonb_typeof(s.inputs) = 'array' THEN s.inputs ELSE '[]'::jsonb END) rec
        WHERE jsonb_typeof(rec) = 'object'
       UNION ALL
       SELECT s.version_id, s.b, f.ord, f."numeric", f.edges, f.categories, r -> f.ord, true
         FROM s JOIN f ON f.version_id = s.version_id AND f.ord >= 0 AND f.input IS NOT NULL
        CROSS JOIN LATERAL jsonb_array_elements(
              CASE WHEN jsonb_typeof(s.inputs -> f.input) = 'array' THEN s.inputs -> f.input
                   ELSE '[]'::jsonb END) r
        WHERE jsonb_typeof(s.inputs) = 'object' AND jsonb_typeof(r) = 'array'
       UNION ALL
       -- Predictions: a tabular answer's "predictions" (values or labels), else the rows of the
       -- "prediction" tensor (a value, or a class index).
       SELECT s.version_id, s.b, f.ord, f."numeric", f.edges, f.categories,
              CASE WHEN jsonb_typeof(pr) = 'array' THEN pr -> 0 ELSE pr END,
              jsonb_typeof(s.outputs -> 'predictions') IS DISTINCT FROM 'array'
         FROM s JOIN f ON f.version_id = s.version_id AND f.ord = -1
        CROSS JOIN LATERAL jsonb_array_elements(
              CASE WHEN jsonb_typeof(s.outputs -> 'predictions') = 'array'
                   THEN s.outputs -> 'predictions'
                   WHEN jsonb_typeof(s.outputs -> 'prediction') = 'array'
                   THEN s.outputs -> 'prediction'
                   ELSE '[]'::jsonb END) pr),
     valued AS (
       SELECT version_id, b, ord, "numeric", edges, categories, indexed, v,
              CASE jsonb_typeof(v)
                WHEN 'number' THEN (v #>> '{}')::float8
                WHEN 'boolean' THEN CASE WHEN v = 'true'::jsonb THEN 1 ELSE 0 END
                WHEN 'string' THEN CASE
                  WHEN (v #>> '{}') ~ '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$'
                  THEN (v #>> '{}')::float8 END
              END AS x
         FROM cells),
     binned AS (
       SELECT version_id, b, ord,
              CASE
                WHEN "numeric" THEN CASE WHEN x IS NOT NULL THEN width_bucket(
                  CASE WHEN abs(x) < 3e38 THEN x::float4::float8 ELSE x END, edges) END
                WHEN indexed THEN CASE WHEN x = floor(x) AND x >= 0 AND x < cardinality(categories)
                  THEN x::int END
                ELSE array_position(categories, v #>> '{}') - 1
              END AS bin
         FROM valued)
     SELECT version_id, b::text, ord, bin, count(*)::int AS n, (SELECT sampled FROM more) AS sampled
       FROM binned WHERE bin IS NOT NULL GROUP BY version_id, b, ord, bin
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, 0, (SELECT sampled FROM more)`,
    [
      w.deploymentId,
      w.workspaceId,
      w.since,
      MAX_MONITORED_PREDICTIONS,
      bucketParam(w),
      recordCap,
      JSON.stringify(specs),
    ],
  );
  let sampled = false;
  for (const row of rows) {
    sampled ||= row.sampled;
    if (row.version_id === null) continue;
    const entry = profiles.get(row.version_id);
    if (!entry) continue;
    const bucket = Number(row.b);
    const key = cellKey(row.version_id, bucket);
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        versionId: row.version_id,
        bucket,
        features: entry.profile.features.map((f) => new Array<number>(binCount(f)).fill(0)),
        prediction: entry.profile.prediction
          ? new Array<number>(binCount(entry.profile.prediction)).fill(0)
          : null,
        records: 0,
      };
      cells.set(key, cell);
    }
    const counts = row.ord < 0 ? cell.prediction : cell.features[row.ord];
    if (counts && row.bin >= 0 && row.bin < counts.length)
      counts[row.bin] = (counts[row.bin] ?? 0) + row.n;
  }
  for (const cell of cells.values())
    cell.records = Math.max(0, ...cell.features.map((c) => c.reduce((a, b) => a + b, 0)));
  return { cells, sampled };
}

export interface FeedbackPair {
  versionId: string;
  bucket: number;
  actual: unknown;
  /** A tabular answer's prediction (a value or a label), else the "prediction" tensor's row value. */
  predicted: unknown;
  /** {label: p} of a tabular answer, else the "probabilities" tensor's row. */
  probabilities: unknown;
  /** The prediction is a tensor's: a classifier's `predicted` is a class index, not a label. */
  tensor: boolean;
}

/**
 * Feedback on the window's logged predictions: exact counts per version and bucket, and the
 * (prediction, actual) pairs of the most recent MAX_MONITORED_FEEDBACK rows for the metrics.
 */
export async function readFeedback(
  db: DataSource,
  w: ReadWindow,
): Promise<{ counts: Map<string, number>; pairs: FeedbackPair[]; sampled: boolean }> {
  const params = [w.deploymentId, w.workspaceId, w.since, bucketParam(w)];
  const from = `FROM prediction_feedback fb JOIN prediction_log p ON p.id = fb.prediction_id
               WHERE p.deployment_id = $1 AND p.workspace_id = $2 AND fb.workspace_id = $2
                 AND p.created_at > $3`;
  const counted = await db.query<{ version_id: string; b: string; n: string }[]>(
    `SELECT p.version_id, ${bucketSql('p.created_at', '$4')}::text AS b, count(*)::text AS n
       ${from} GROUP BY 1, 2`,
    params,
  );
  const rows = await db.query<
    {
      version_id: string;
      b: string;
      actual: unknown;
      predicted: unknown;
      probabilities: unknown;
      tensor: boolean;
    }[]
  >(
    `SELECT p.version_id, ${bucketSql('p.created_at', '$4')}::text AS b, fb.actual,
            coalesce(p.outputs -> 'predictions' -> fb.record,
                     p.outputs -> 'prediction' -> fb.record -> 0) AS predicted,
            p.outputs -> 'probabilities' -> fb.record AS probabilities,
            jsonb_typeof(p.outputs -> 'predictions') IS DISTINCT FROM 'array' AS tensor
       ${from} ORDER BY p.created_at DESC LIMIT $5`,
    [...params, MAX_MONITORED_FEEDBACK],
  );
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of counted) {
    counts.set(cellKey(r.version_id, Number(r.b)), Number(r.n));
    total += Number(r.n);
  }
  return {
    counts,
    pairs: rows.map((r) => ({
      versionId: r.version_id,
      bucket: Number(r.b),
      actual: r.actual,
      predicted: r.predicted,
      probabilities: r.probabilities,
      tensor: r.tensor,
    })),
    sampled: total > rows.length,
  };
}
