import { recordAuditEvent, type AuditOutcome } from '@maas/db';
import type { EntityManager } from 'typeorm';

/**
 * The caller as the audit log records it: its key and the client address the API saw (an
 * `AuthInfo` of a request carries both). `null` is the platform itself.
 */
export interface AuditActor {
  /** null: no key (a failed sign-in). */
  apiKeyId: string | null;
  sourceAddress?: string | null;
}

/**
 * One audit row per change a tenant makes, written in the change's own transaction; a refused
 * attempt passes its `outcome` (written outside the failed transaction, see audit-hooks.ts).
 * Every API path writes through here, and here through `recordAuditEvent`, the one writer.
 */
export async function audit(
  m: EntityManager,
  actor: AuditActor | null,
  workspaceId: string,
  action: string,
  targetType: string,
  targetId: string | null,
  details: Record<string, unknown> | null,
  outcome: AuditOutcome = 'ok',
): Promise<void> {
  await recordAuditEvent(m, {
    workspaceId,
    apiKeyId: actor?.apiKeyId ?? null,
    sourceAddress: actor?.sourceAddress ?? null,
    action,
    targetType,
    targetId,
    outcome,
    details,
  });
}
