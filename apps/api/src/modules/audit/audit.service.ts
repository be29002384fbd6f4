import { AUDIT_OUTCOMES, AuditEvent as AuditEventRow } from '@maas/db';
import type { DataSource } from 'typeorm';
import { badInput, forbidden } from '../../common/errors';
import { decodeCursor, newestFirstPage } from '../../common/pagination';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import type { AuditEvent, AuditEventConnection, AuditFilter } from './audit.types';

/** `auditEvents(first:)` when not given (docs/api.md, "Audit log"). */
export const AUDIT_PAGE = 50;

const mapEvent = (row: AuditEventRow): AuditEvent => ({
  id: row.id,
  at: row.createdAt,
  sourceAddress: row.sourceAddress,
  action: row.action,
  targetType: row.targetType,
  targetId: row.targetId,
  outcome: row.outcome,
  details: row.details,
  workspaceId: row.workspaceId,
  apiKeyId: row.apiKeyId,
});

function boundedText(value: string, field: string, max: number): string {
  if (value.length < 1 || value.length > max)
    throw badInput(`"filter.${field}" must have 1 to ${max} characters`, { field });
  return value;
}

/** Reads the audit log (its rows are written by `audit()`, and never changed or deleted here). */
export class AuditService {
  constructor(private readonly db: DataSource) {}

  /**
   * ADMIN only: the caller's workspace's rows, newest first (`at` desc, then id desc); the root
   * key reads every workspace (`filter.workspaceId` narrows it).
   */
  async list(
    auth: AuthInfo,
    filter: AuditFilter | null | undefined,
    args: { first?: number | null; after?: string | null },
  ): Promise<AuditEventConnection> {
    requireRole(auth, 'ADMIN');
    const f = filter ?? {};
    const qb = this.db.getRepository(AuditEventRow).createQueryBuilder('e');
    let workspaceId = f.workspaceId ? assertId(f.workspaceId, 'filter.workspaceId') : null;
    if (!auth.isRoot) {
      if (workspaceId && workspaceId !== auth.workspaceId)
        throw forbidden("Only the root key (ADMIN_API_KEY) may read another workspace's audit log");
      workspaceId = auth.workspaceId;
    }
    if (workspaceId) qb.andWhere('e.workspaceId = :workspaceId', { workspaceId });
    if (f.actorId)
      qb.andWhere('e.apiKeyId = :actorId', { actorId: assertId(f.actorId, 'filter.actorId') });
    if (f.action)
      qb.andWhere('e.action = :action', { action: boundedText(f.action, 'action', 64) });
    if (f.targetType)
      qb.andWhere('e.targetType = :targetType', {
        targetType: boundedText(f.targetType, 'targetType', 32),
      });
    if (f.targetId)
      qb.andWhere('e.targetId = :targetId', { targetId: boundedText(f.targetId, 'targetId', 64) });
    if (f.outcome) {
      if (!(AUDIT_OUTCOMES as readonly string[]).includes(f.outcome))
        throw badInput(`"filter.outcome" must be one of ${AUDIT_OUTCOMES.join(', ')}`, {
          field: 'outcome',
        });
      qb.andWhere('e.outcome = :outcome', { outcome: f.outcome });
    }
    if (f.from && f.to && f.from > f.to)
      throw badInput('"filter.from" must not be after "filter.to"', { field: 'from' });
    if (f.from) qb.andWhere('e.createdAt >= :from', { from: f.from });
    if (f.to) qb.andWhere('e.createdAt <= :to', { to: f.to });
    if (args.after) {
      // The id half of the cursor is a bigint: anything else is refused here, not by PostgreSQL.
      const [at, id] = decodeCursor(args.after, ['string', 'string']) as [string, string];
      if (!/^\d{1,18}$/.test(id) || Number.isNaN(Date.parse(at)))
        throw badInput('Invalid "after" cursor: pass an endCursor from a previous page', {
          field: 'after',
        });
    }
    return newestFirstPage(
      qb,
      'e',
      { first: args.first ?? AUDIT_PAGE, after: args.after },
      mapEvent,
    );
  }
}
