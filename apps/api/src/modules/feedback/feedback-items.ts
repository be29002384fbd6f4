import type { ErrorCode } from '../../common/errors';
import { isId } from '../../common/scalars';
import { predictionIdKind } from '../predictions/prediction-id';

/** The largest record index taken (a GraphQL Int). */
const MAX_RECORD = 2_147_483_647;

/** One item as a client sent it (REST: anything; GraphQL: typed), checked by the service. */
export interface FeedbackItem {
  predictionId: unknown;
  record?: unknown;
  actual: unknown;
}

/** Why an item was refused: NOT_SAMPLED and UNKNOWN are the two NOT_FOUND reasons. */
export type FeedbackRefusalReason =
  | 'INVALID'
  | 'DUPLICATE'
  | 'NOT_SAMPLED'
  | 'UNKNOWN'
  | 'FAILED_PREDICTION'
  | 'NO_SUCH_RECORD'
  | 'WRONG_TYPE'
  | 'NOT_YOUR_PREDICTION';

export interface FeedbackRefusal {
  index: number;
  predictionId: string | null;
  record: number | null;
  code: Extract<ErrorCode, 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN'>;
  reason: FeedbackRefusalReason;
  message: string;
  /** The item's field at fault, for BAD_USER_INPUT. */
  field?: 'predictionId' | 'record' | 'actual';
}

/** An item whose shape is right and whose id says it was logged for this workspace. */
export interface ParsedFeedbackItem {
  index: number;
  predictionId: string;
  record: number;
  actual: unknown;
}

/** A refusal of item `index` (of `predictionId`, `record` when known). */
export function refusal(
  index: number,
  at: { predictionId?: string; record?: number },
  code: FeedbackRefusal['code'],
  reason: FeedbackRefusalReason,
  message: string,
  field?: FeedbackRefusal['field'],
): FeedbackRefusal {
  return {
    index,
    predictionId: at.predictionId ?? null,
    record: at.record ?? null,
    code,
    reason,
    message,
    ...(field ? { field } : {}),
  };
}

export function unknownPredictionMessage(predictionId: string): string {
  return `No logged prediction ${predictionId} in this workspace: the id is unknown, its log row is not written yet (within about a second of the prediction: retry), or it is gone (removed after PREDICTION_LOG_RETENTION_DAYS, or dropped under load)`;
}

/**
 * The checks that need no database, item by item: the shape, a (prediction, record) named twice
 * in the batch, and what the id says about itself for `workspaceId` (not sampled, or not this
 * workspace's at all).
 */
export function parseFeedbackItems(
  items: readonly unknown[],
  workspaceId: string,
): { parsed: ParsedFeedbackItem[]; refused: FeedbackRefusal[] } {
  const parsed: ParsedFeedbackItem[] = [];
  const refused: FeedbackRefusal[] = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      refused.push(
        refusal(
          index,
          {},
          'BAD_USER_INPUT',
          'INVALID',
          'An item is an object: {"predictionId", "record"?, "actual"}',
        ),
      );
      return;
    }
    const item = raw as Partial<FeedbackItem>;
    if (typeof item.predictionId !== 'string' || !isId(item.predictionId)) {
      refused.push(
        refusal(
          index,
          {},
          'BAD_USER_INPUT',
          'INVALID',
          '"predictionId" must be the id (a UUID) that predict returned',
          'predictionId',
        ),
      );
      return;
    }
    const predictionId = item.predictionId.toLowerCase();
    const record = item.record ?? 0;
    if (
      typeof record !== 'number' ||
      !Number.isInteger(record) ||
      record < 0 ||
      record > MAX_RECORD
    ) {
      refused.push(
        refusal(
          index,
          { predictionId },
          'BAD_USER_INPUT',
          'INVALID',
          `"record" must be a record index (an integer from 0), got ${String(JSON.stringify(record)).slice(0, 40)}`,
          'record',
        ),
      );
      return;
    }
    const at = { predictionId, record };
    const key = `${predictionId}|${record}`;
    if (seen.has(key)) {
      refused.push(
        refusal(
          index,
          at,
          'BAD_USER_INPUT',
          'DUPLICATE',
          `Record ${record} of prediction ${predictionId} appears more than once in the batch`,
        ),
      );
      return;
    }
    seen.add(key);
    const kind = predictionIdKind(predictionId, workspaceId);
    if (kind === 'unlogged') {
      refused.push(
        refusal(
          index,
          at,
          'NOT_FOUND',
          'NOT_SAMPLED',
          `Prediction ${predictionId} was not logged (it fell outside the sample: its deployment's logSampleRate, or PREDICTION_LOG_SAMPLE_RATE by model name), so it cannot take feedback; raise the rate (updateDeploymentLogging) for later predictions`,
        ),
      );
      return;
    }
    if (kind === 'unknown') {
      refused.push(
        refusal(index, at, 'NOT_FOUND', 'UNKNOWN', unknownPredictionMessage(predictionId)),
      );
      return;
    }
    parsed.push({ index, predictionId, record, actual: item.actual });
  });
  return { parsed, refused };
}
