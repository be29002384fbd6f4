import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEvent, type AuditOutcome } from '../entities/audit-event.entity';

/** One row of the audit log, as {@link recordAuditEvent} writes it. */
export interface AuditEventInput {
  workspaceId: string;
  /** The key that acted; null for the platform. */
  apiKeyId: string | null;
  sourceAddress: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  outcome?: AuditOutcome;
  details: Record<string, unknown> | null;
}

/** The longest address kept (an IPv6 address with a zone fits). */
const MAX_ADDRESS = 64;

/**
 * The one writer of `audit_events` (the API's `audit()` and the training worker call it). Inside
 * the caller's transaction when it has one, so a change and its row commit together.
 */
export async function recordAuditEvent(m: EntityManager, event: AuditEventInput): Promise<void> {
  const row: QueryDeepPartialEntity<AuditEvent> = {
    workspaceId: event.workspaceId,
    apiKeyId: event.apiKeyId,
    sourceAddress: event.sourceAddress?.slice(0, MAX_ADDRESS) ?? null,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome ?? 'ok',
    details: event.details as QueryDeepPartialEntity<AuditEvent>['details'],
  };
  await m.insert(AuditEvent, row);
}

/**
 * The session setting the append-only trigger on `audit_events` looks for: DELETE is allowed only
 * in a transaction that ran `SET LOCAL maas.retention = 'on'` (the retention sweeper's).
 */
export const RETENTION_DELETE_SETTING = "SET LOCAL maas.retention = 'on'";

/** The action a training job's committed version is recorded under (the worker writes it). */
export const VERSION_TRAIN_ACTION = 'version.train';
/** What the worker records when an evaluation job's scores are committed. */
export const EVALUATION_FINISH_ACTION = 'evaluationJob.finish';

export { AUDIT_OUTCOMES, type AuditOutcome } from '../entities/audit-event.entity';
