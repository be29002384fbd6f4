import { AliasMove, ModelAlias } from '@maas/db';
import type { EntityManager } from 'typeorm';
import { audit, type AuditActor } from '../../common/audit';

/** The most moves `ModelAlias.history` lists (newest first). */
export const ALIAS_HISTORY_LIMIT = 100;

export interface AliasMoveArgs {
  workspaceId: string;
  modelId: string;
  alias: string;
  versionId: string;
  /** The version number, for the audit row. */
  version: number;
  /** The key that moved it (a promotion: the key that started it); null: the platform. */
  actor: AuditActor | null;
  /** Set when a completed promotion moves it. */
  promotionId?: string | null;
}

/**
 * Points `alias` at a version and records the move (alias_moves, ModelAlias.history) and its
 * `alias.set` audit row, in the caller's transaction: the one home for every alias move
 * (setModelAlias, and the `production` alias of a completed promotion). The alias row is locked
 * first, so two moves at once record each other as their previous version. Returns the version
 * the alias named before (null: it did not exist).
 */
export async function moveAlias(m: EntityManager, args: AliasMoveArgs): Promise<string | null> {
  const existing = await m.getRepository(ModelAlias).findOne({
    where: { modelId: args.modelId, alias: args.alias },
    lock: { mode: 'pessimistic_write' },
  });
  const previousVersionId = existing?.versionId ?? null;
  await m
    .createQueryBuilder()
    .insert()
    .into(ModelAlias)
    .values({
      modelId: args.modelId,
      alias: args.alias,
      workspaceId: args.workspaceId,
      versionId: args.versionId,
    })
    .orUpdate(['version_id', 'updated_at'], ['model_id', 'alias'])
    .execute();
  await m.insert(AliasMove, {
    workspaceId: args.workspaceId,
    modelId: args.modelId,
    alias: args.alias,
    versionId: args.versionId,
    previousVersionId,
    apiKeyId: args.actor?.apiKeyId ?? null,
    promotionId: args.promotionId ?? null,
  });
  await audit(m, args.actor, args.workspaceId, 'alias.set', 'model', args.modelId, {
    alias: args.alias,
    version: args.version,
    ...(args.promotionId ? { promotionId: args.promotionId } : {}),
  });
  return previousVersionId;
}
