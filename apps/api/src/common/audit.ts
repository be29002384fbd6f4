import { AuditEvent } from '@maas/db';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/** The caller as the audit log records it. */
export interface AuditActor {
  apiKeyId: string;
}

/** One audit row per change a tenant makes, written in the change's own transaction. */
export async function audit(
  m: EntityManager,
  actor: AuditActor | null,
  workspaceId: string,
  action: string,
  targetType: string,
  targetId: string | null,
  details: Record<string, unknown> | null,
): Promise<void> {
  const row: QueryDeepPartialEntity<AuditEvent> = {
    workspaceId,
    apiKeyId: actor?.apiKeyId ?? null,
    action,
    targetType,
    targetId,
    details: details as QueryDeepPartialEntity<AuditEvent>['details'],
  };
  await m.insert(AuditEvent, row);
}
