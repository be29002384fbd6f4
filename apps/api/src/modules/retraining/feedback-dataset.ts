import type { EntityManager } from 'typeorm';

/** The feedback a run uses: one deployment's, recorded in (from, until]. */
export interface FeedbackWindow {
  workspaceId: string;
  deploymentId: string;
  /** null: from the first feedback on. */
  from: Date | null;
  until: Date;
}

/** A feedback dataset as CSV text, ready for the dataset ingest (and its limits). */
export interface FeedbackTable {
  csv: string;
  /** Data rows in `csv`. */
  rows: number;
  /** Feedback rows left out: their logged record lacked a feature or was not a table row. */
  skipped: number;
}

interface FeedbackRecord {
  input: unknown;
  actual: unknown;
}

/** Feedback rows in the window on successful predictions, counted up to `atMost`. */
export async function countFeedback(
  m: Pick<EntityManager, 'query'>,
  window: FeedbackWindow,
  atMost: number,
): Promise<number> {
  const rows = await m.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM (
       SELECT 1 FROM prediction_feedback f
         JOIN prediction_log p ON p.id = f.prediction_id
        WHERE f.workspace_id = $1 AND p.workspace_id = $1 AND p.deployment_id = $2
          AND p.status = 'ok' AND ($3::timestamptz IS NULL OR f.created_at > $3)
          AND f.created_at <= $4
        LIMIT $5) AS s`,
    [window.workspaceId, window.deploymentId, window.from, window.until, atMost],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Feedback rows in the window, at most `maxRows` (the newest), each with the logged record it is
 * about: `inputs[record]` of a `records` prediction, or row `record` of the only tensor of an
 * `inputs` prediction. Picked in SQL, so a large multi-record prediction is not read once per row.
 */
async function feedbackRecords(
  m: Pick<EntityManager, 'query'>,
  window: FeedbackWindow,
  maxRows: number,
): Promise<FeedbackRecord[]> {
  const rows = await m.query<FeedbackRecord[]>(
    `SELECT CASE jsonb_typeof(p.inputs)
              WHEN 'array' THEN p.inputs -> f.record
              WHEN 'object' THEN (
                SELECT e.value -> f.record FROM jsonb_each(p.inputs) AS e
                 WHERE jsonb_typeof(e.value) = 'array'
                   AND (SELECT count(*) FROM jsonb_object_keys(p.inputs)) = 1)
            END AS input,
            f.actual
       FROM prediction_feedback f
       JOIN prediction_log p ON p.id = f.prediction_id
      WHERE f.workspace_id = $1 AND p.workspace_id = $1 AND p.deployment_id = $2
        AND p.status = 'ok' AND ($3::timestamptz IS NULL OR f.created_at > $3)
        AND f.created_at <= $4
      ORDER BY f.created_at DESC, f.id DESC
      LIMIT $5`,
    [window.workspaceId, window.deploymentId, window.from, window.until, maxRows],
  );
  return rows.reverse(); // oldest first in the dataset
}

/** One CSV cell (RFC 4180): quoted when it holds a delimiter, a quote, a line break or edge spaces. */
function csvCell(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Cell = string | number | boolean;

function cellOf(value: unknown): Cell | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return undefined;
}

/** The record's values in `features` order: from an object by name, from an array by position. */
function featureCells(input: unknown, features: readonly string[]): Cell[] | undefined {
  const values = Array.isArray(input)
    ? input.length === features.length
      ? input
      : undefined
    : typeof input === 'object' && input !== null
      ? features.map((f) => (input as Record<string, unknown>)[f])
      : undefined;
  if (!values) return undefined;
  const cells: Cell[] = [];
  for (const v of values) {
    const cell = cellOf(v);
    if (cell === undefined) return undefined;
    cells.push(cell);
  }
  return cells;
}

/**
 * The feedback of `window` as a table: the logged inputs (the parent's `features`, in order) and
 * the actual value as column `target`. A row whose record lacks a feature is left out (counted).
 */
export async function buildFeedbackTable(
  m: Pick<EntityManager, 'query'>,
  window: FeedbackWindow,
  columns: { features: readonly string[]; target: string },
  maxRows: number,
): Promise<FeedbackTable> {
  const records = await feedbackRecords(m, window, maxRows);
  const lines = [[...columns.features, columns.target].map(csvCell).join(',')];
  let skipped = 0;
  for (const r of records) {
    const cells = featureCells(r.input, columns.features);
    const actual = cellOf(r.actual);
    if (!cells || actual === undefined) {
      skipped++;
      continue;
    }
    lines.push([...cells, actual].map(csvCell).join(','));
  }
  return { csv: lines.join('\n'), rows: lines.length - 1, skipped };
}
