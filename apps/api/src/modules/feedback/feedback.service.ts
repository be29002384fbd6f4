import { recordUsage, type UsageDelta } from '@maas/db';
import type { DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, isForeignKeyViolation, notFound, UserError } from '../../common/errors';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import type { PredictionLogWriter } from '../predictions/prediction-log';
import {
  parseFeedbackItems,
  refusal,
  unknownPredictionMessage,
  type FeedbackItem,
  type FeedbackRefusal,
  type ParsedFeedbackItem,
} from './feedback-items';
import { checkActual, type ActualValue } from './feedback-values';
import type { Feedback } from './feedback.types';

export interface FeedbackOutcome {
  /** Items written: new ground truth, or a different value replacing an earlier one. */
  recorded: number;
  /** Items that repeated what was stored already (nothing changed). */
  unchanged: number;
  /** The stored rows of the accepted items, in item order (only when asked for). */
  rows: Feedback[];
  refused: FeedbackRefusal[];
}

interface LoggedPrediction {
  id: string;
  api_key_id: string | null;
  status: string;
  record_count: number | null;
  deployment_id: string | null;
  model_id: string | null;
  task: string | null;
  labels: string[] | null;
}

interface Accepted extends Omit<ParsedFeedbackItem, 'actual'> {
  actual: ActualValue;
  prediction: LoggedPrediction;
}

interface FeedbackRow {
  id: string;
  prediction_id: string;
  record: number;
  actual: unknown;
  created_at: Date;
  updated_at: Date;
}

const mapRow = (r: FeedbackRow): Feedback => ({
  id: r.id,
  predictionId: r.prediction_id,
  record: r.record,
  actual: r.actual,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/**
 * Ground truth for logged predictions (docs/api.md, "Feedback"): checked against the model's task,
 * tenant-scoped, idempotent per (prediction, record), counted in usage (`feedbackRows`) and
 * audited, each batch in one transaction. Items are checked one by one; a refused item changes
 * nothing and the others still go in.
 */
export class FeedbackService {
  constructor(
    private readonly db: DataSource,
    private readonly log: PredictionLogWriter,
    private readonly maxBatch: number,
  ) {}

  /** GraphQL recordFeedback: one item; its refusal is thrown as the error it is. */
  async recordOne(auth: AuthInfo, item: FeedbackItem): Promise<Feedback> {
    const outcome = await this.record(auth, [item], { rows: true });
    const refusal = outcome.refused[0];
    if (refusal) {
      throw new UserError(refusal.code, refusal.message, {
        reason: refusal.reason,
        ...(refusal.field ? { field: refusal.field } : {}),
      });
    }
    const row = outcome.rows[0];
    if (!row) throw new Error('feedback was accepted but not stored');
    return row;
  }

  /**
   * Records a batch (POST /v1/feedback). A VIEWER may send feedback on the predictions its own key
   * made; EDITOR and ADMIN on any of the workspace's.
   */
  async record(
    auth: AuthInfo,
    items: readonly unknown[],
    options: { rows?: boolean } = {},
  ): Promise<FeedbackOutcome> {
    requireRole(auth, 'VIEWER');
    if (items.length === 0) throw badInput('Send at least one feedback item');
    if (items.length > this.maxBatch) {
      throw badInput(
        `A feedback batch has at most ${this.maxBatch} items (MAX_FEEDBACK_BATCH), got ${items.length}: send it in parts`,
        { limit: 'MAX_FEEDBACK_BATCH', max: this.maxBatch },
      );
    }
    // Shape first, then what the id says about itself: neither needs the database.
    const { parsed, refused } = parseFeedbackItems(items, auth.workspaceId);
    const ids = [...new Set(parsed.map((p) => p.predictionId))];
    // A prediction made on this replica a moment ago may still wait in the log's buffer.
    await this.log.written(ids);
    const predictions = await this.loadPredictions(auth.workspaceId, ids);
    const accepted: Accepted[] = [];
    for (const p of parsed) {
      const prediction = predictions.get(p.predictionId);
      if (!prediction) {
        refused.push(
          refusal(p.index, p, 'NOT_FOUND', 'UNKNOWN', unknownPredictionMessage(p.predictionId)),
        );
        continue;
      }
      if (prediction.status !== 'ok') {
        refused.push(
          refusal(
            p.index,
            p,
            'NOT_FOUND',
            'FAILED_PREDICTION',
            `Prediction ${p.predictionId} failed: it has no outputs to take feedback`,
          ),
        );
        continue;
      }
      if (auth.role === 'VIEWER' && prediction.api_key_id !== auth.apiKeyId) {
        refused.push(
          refusal(
            p.index,
            p,
            'FORBIDDEN',
            'NOT_YOUR_PREDICTION',
            `A VIEWER key sends feedback only on its own predictions; prediction ${p.predictionId} was made by another key (EDITOR or ADMIN may)`,
          ),
        );
        continue;
      }
      if (prediction.record_count !== null && p.record >= prediction.record_count) {
        refused.push(
          refusal(
            p.index,
            p,
            'BAD_USER_INPUT',
            'NO_SUCH_RECORD',
            `Prediction ${p.predictionId} has ${prediction.record_count} record(s): "record" is from 0 to ${prediction.record_count - 1}, got ${p.record}`,
            'record',
          ),
        );
        continue;
      }
      const checked = checkActual(p.actual, prediction.task, prediction.labels);
      if (!checked.ok) {
        refused.push(
          refusal(p.index, p, 'BAD_USER_INPUT', 'WRONG_TYPE', checked.message, 'actual'),
        );
        continue;
      }
      accepted.push({ ...p, actual: checked.value, prediction });
    }
    refused.sort((a, b) => a.index - b.index);
    if (accepted.length === 0) return { recorded: 0, unchanged: 0, rows: [], refused };
    const { written, rows } = await this.write(auth, accepted, options.rows === true);
    return { recorded: written, unchanged: accepted.length - written, rows, refused };
  }

  private async loadPredictions(
    workspaceId: string,
    ids: string[],
  ): Promise<Map<string, LoggedPrediction>> {
    if (ids.length === 0) return new Map();
    // The workspace is in the WHERE clause: another tenant's row is never read.
    const rows = await this.db.query<LoggedPrediction[]>(
      `SELECT p.id, p.api_key_id, p.status, p.record_count, p.deployment_id, v.model_id, m.task::text AS task,
              CASE WHEN jsonb_typeof(v.signature->'labels') = 'array' THEN v.signature->'labels' END AS labels
         FROM prediction_log p
         LEFT JOIN model_versions v ON v.id = p.version_id
         LEFT JOIN models m ON m.id = v.model_id
        WHERE p.workspace_id = $1 AND p.id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Upserts the accepted items in one statement: a new (prediction, record) is inserted, a
   * different value replaces the stored one (updated_at moves), the same value touches nothing.
   * Usage and the audit row are written in the same transaction, for what changed only.
   */
  private async write(
    auth: AuthInfo,
    accepted: Accepted[],
    withRows: boolean,
  ): Promise<{ written: number; rows: Feedback[] }> {
    try {
      return await this.transaction(auth, accepted, withRows);
    } catch (err) {
      // The retention sweeper removed a prediction between the read and the write.
      if (isForeignKeyViolation(err))
        throw notFound('A prediction was removed while its feedback was written: send it again');
      throw err;
    }
  }

  private transaction(
    auth: AuthInfo,
    accepted: Accepted[],
    withRows: boolean,
  ): Promise<{ written: number; rows: Feedback[] }> {
    return this.db.transaction(async (m) => {
      const changed = await m.query<FeedbackRow[]>(
        `INSERT INTO prediction_feedback AS f (workspace_id, prediction_id, record, actual, api_key_id)
         SELECT $1, d.prediction_id, d.record, d.actual, $2
           FROM unnest($3::uuid[], $4::int[], $5::jsonb[]) AS d(prediction_id, record, actual)
         ON CONFLICT (prediction_id, record)
         DO UPDATE SET actual = EXCLUDED.actual, api_key_id = EXCLUDED.api_key_id, updated_at = now()
          WHERE f.actual IS DISTINCT FROM EXCLUDED.actual
         RETURNING f.id, f.prediction_id, f.record, f.actual, f.created_at, f.updated_at`,
        [
          auth.workspaceId,
          auth.apiKeyId,
          accepted.map((a) => a.predictionId),
          accepted.map((a) => a.record),
          accepted.map((a) => JSON.stringify(a.actual)),
        ],
      );
      const key = (predictionId: string, record: number) => `${predictionId}|${record}`;
      const changedKeys = new Set(changed.map((r) => key(r.prediction_id, r.record)));
      if (changed.length > 0) {
        // Counted where the prediction was served: its model and deployment.
        const deltas: UsageDelta[] = accepted
          .filter((a) => changedKeys.has(key(a.predictionId, a.record)))
          .map((a) => ({
            workspaceId: auth.workspaceId,
            apiKeyId: auth.apiKeyId,
            modelId: a.prediction.model_id,
            deploymentId: a.prediction.deployment_id,
            feedbackRows: 1,
          }));
        await recordUsage(m, deltas);
        const single = accepted.length === 1 ? accepted[0] : undefined;
        await audit(
          m,
          auth,
          auth.workspaceId,
          'feedback.record',
          'prediction',
          single ? single.predictionId : null,
          single
            ? { record: single.record }
            : {
                recorded: changed.length,
                predictions: new Set(changed.map((r) => r.prediction_id)).size,
              },
        );
      }
      if (!withRows) return { written: changed.length, rows: [] };
      const stored = await m.query<FeedbackRow[]>(
        `SELECT f.id, f.prediction_id, f.record, f.actual, f.created_at, f.updated_at
           FROM prediction_feedback f
           JOIN unnest($2::uuid[], $3::int[]) AS d(prediction_id, record)
             ON d.prediction_id = f.prediction_id AND d.record = f.record
          WHERE f.workspace_id = $1`,
        [auth.workspaceId, accepted.map((a) => a.predictionId), accepted.map((a) => a.record)],
      );
      const byKey = new Map(stored.map((r) => [key(r.prediction_id, r.record), mapRow(r)]));
      const rows = accepted
        .map((a) => byKey.get(key(a.predictionId, a.record)))
        .filter((r): r is Feedback => r !== undefined);
      return { written: changed.length, rows };
    });
  }
}
