import { ApiKey as ApiKeyRow, Model as ModelRow, NO_USAGE_DIMENSION } from '@maas/db';
import { In, type DataSource } from 'typeorm';
import { badInput } from '../../common/errors';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import { mapKey } from '../auth/auth.mappers';
import type { DeploymentsService } from '../deployments/deployments.service';
import { mapModel } from '../models/models.mappers';
import { UsageDimension, UsageGranularity, type UsageRecord } from './usage.types';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Bucket size and the longest range one `usage` query may ask for, per granularity. */
export const USAGE_RANGES: Record<
  UsageGranularity,
  { column: string; bucketMs: number; maxDays: number }
> = {
  [UsageGranularity.MINUTE]: { column: 'minute', bucketMs: MINUTE_MS, maxDays: 2 },
  [UsageGranularity.HOUR]: { column: 'hour', bucketMs: HOUR_MS, maxDays: 93 },
  [UsageGranularity.DAY]: { column: 'day', bucketMs: DAY_MS, maxDays: 1098 },
};

/** Records one `usage` answer may hold; a larger one asks for a shorter range or fewer groups. */
export const USAGE_MAX_RECORDS = 10_000;

const DIMENSION_COLUMNS: Record<UsageDimension, string> = {
  [UsageDimension.API_KEY]: 'api_key_id',
  [UsageDimension.MODEL]: 'model_id',
  [UsageDimension.DEPLOYMENT]: 'deployment_id',
};

export interface UsageQuery {
  from: Date;
  to: Date;
  granularity: UsageGranularity;
  groupBy: readonly UsageDimension[];
}

interface UsageRow {
  start: Date;
  api_key_id?: string;
  model_id?: string;
  deployment_id?: string;
  requests: string;
  prediction_rows: string;
  prompt_tokens: string;
  completion_tokens: string;
  training_seconds: number;
  feedback_rows: string;
}

/** The `usage` series of the caller's workspace, read from `usage_counters`. */
export class UsageService {
  constructor(
    private readonly db: DataSource,
    private readonly deployments: DeploymentsService,
  ) {}

  /**
   * Buckets whose start lies in [from rounded down to the granularity, to), oldest first, one
   * record per bucket and combination of the `groupBy` dimensions that has usage. VIEWER may read
   * it; grouping by API_KEY needs ADMIN (keys are ADMIN-only).
   */
  async series(auth: AuthInfo, q: UsageQuery): Promise<UsageRecord[]> {
    requireRole(auth, 'VIEWER');
    const groupBy = [...new Set(q.groupBy)];
    if (groupBy.includes(UsageDimension.API_KEY)) requireRole(auth, 'ADMIN');
    if (!(q.from.getTime() < q.to.getTime()))
      throw badInput('"from" must be before "to"', { field: 'from' });
    const range = USAGE_RANGES[q.granularity];
    if (q.to.getTime() - q.from.getTime() > range.maxDays * DAY_MS) {
      throw badInput(
        `A ${q.granularity} usage series spans at most ${range.maxDays} days: shorten from..to or use a coarser granularity`,
        { field: 'to', maxDays: range.maxDays },
      );
    }
    const from = new Date(Math.floor(q.from.getTime() / range.bucketMs) * range.bucketMs);
    const dims = groupBy.map((d) => DIMENSION_COLUMNS[d]);
    const select = dims.map((c) => `, ${c}`).join('');
    // Column names come from the constants above, never from input.
    const rows = await this.db.query<UsageRow[]>(
      `SELECT bucket_start AS start${select},
              SUM(requests)::text AS requests, SUM(prediction_rows)::text AS prediction_rows,
              SUM(prompt_tokens)::text AS prompt_tokens,
              SUM(completion_tokens)::text AS completion_tokens,
              SUM(training_seconds)::float8 AS training_seconds,
              SUM(feedback_rows)::text AS feedback_rows
         FROM usage_counters
        WHERE workspace_id = $1 AND granularity = $2 AND bucket_start >= $3 AND bucket_start < $4
        GROUP BY bucket_start${select}
        ORDER BY bucket_start${select}
        LIMIT $5`,
      [auth.workspaceId, range.column, from, q.to, USAGE_MAX_RECORDS + 1],
    );
    if (rows.length > USAGE_MAX_RECORDS) {
      throw badInput(
        `The usage series has more than ${USAGE_MAX_RECORDS} records: shorten from..to, use a coarser granularity or group by fewer dimensions`,
        { maxRecords: USAGE_MAX_RECORDS },
      );
    }
    const ids = (column: 'api_key_id' | 'model_id' | 'deployment_id') =>
      [...new Set(rows.map((r) => r[column]).filter((id): id is string => !!id))].filter(
        (id) => id !== NO_USAGE_DIMENSION,
      );
    // One query per dimension, whatever the number of records; deleted objects resolve to null.
    const [keys, models, deployments] = await Promise.all([
      this.keysById(auth, ids('api_key_id')),
      this.modelsById(auth, ids('model_id')),
      this.deploymentsById(auth, ids('deployment_id')),
    ]);
    return rows.map((r) => ({
      start: new Date(r.start),
      apiKey: (r.api_key_id && keys.get(r.api_key_id)) || null,
      model: (r.model_id && models.get(r.model_id)) || null,
      deployment: (r.deployment_id && deployments.get(r.deployment_id)) || null,
      requests: Number(r.requests),
      predictionRows: Number(r.prediction_rows),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      trainingSeconds: Number(r.training_seconds),
      feedbackRows: Number(r.feedback_rows),
    }));
  }

  private async keysById(auth: AuthInfo, ids: string[]) {
    if (ids.length === 0) return new Map<string, ReturnType<typeof mapKey>>();
    const rows = await this.db
      .getRepository(ApiKeyRow)
      .find({ where: { id: In(ids), workspaceId: auth.workspaceId } });
    return new Map(rows.map((r) => [r.id, mapKey(r)]));
  }

  private async modelsById(auth: AuthInfo, ids: string[]) {
    if (ids.length === 0) return new Map<string, ReturnType<typeof mapModel>>();
    const rows = await this.db
      .getRepository(ModelRow)
      .find({ where: { id: In(ids), workspaceId: auth.workspaceId } });
    return new Map(rows.map((r) => [r.id, mapModel(r)]));
  }

  private async deploymentsById(auth: AuthInfo, ids: string[]) {
    const list = ids.length === 0 ? [] : await this.deployments.byIds(auth, ids);
    return new Map(list.map((d) => [d.id, d]));
  }
}
