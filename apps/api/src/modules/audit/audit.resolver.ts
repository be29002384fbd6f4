import DataLoader from 'dataloader';
import { ApiKey as ApiKeyRow, Workspace as WorkspaceRow } from '@maas/db';
import { In, type DataSource } from 'typeorm';
import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { mapKey, mapWorkspace } from '../auth/auth.mappers';
import { ApiKey, Workspace } from '../auth/auth.types';
import { AUDIT_PAGE } from './audit.service';
import { AuditEvent, AuditEventConnection, AuditFilter } from './audit.types';

/** Per-request loaders: a page of events costs one query for its keys and one for its workspaces. */
function createAuditLoaders(db: DataSource) {
  return {
    // Any key, revoked ones too (the audit log outlives them): the root key acts everywhere.
    key: new DataLoader<string, ApiKey | null>(async (ids) => {
      const rows = await db.getRepository(ApiKeyRow).find({ where: { id: In([...ids]) } });
      const byId = new Map(rows.map((r) => [r.id, mapKey(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    workspace: new DataLoader<string, Workspace | null>(async (ids) => {
      const rows = await db.getRepository(WorkspaceRow).find({ where: { id: In([...ids]) } });
      const byId = new Map(rows.map((r) => [r.id, mapWorkspace(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

const loaders = new WeakMap<GraphQLContext, ReturnType<typeof createAuditLoaders>>();
function loadersOf(ctx: GraphQLContext) {
  let found = loaders.get(ctx);
  if (!found) loaders.set(ctx, (found = createAuditLoaders(ctx.services.db)));
  return found;
}

@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @Query(() => AuditEventConnection, {
    description:
      "ADMIN: the workspace's audit log, newest first; the root key sees every workspace (filter.workspaceId narrows)",
  })
  auditEvents(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: AUDIT_PAGE }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<AuditEventConnection> {
    return ctx.services.audit.list(ctx.auth, filter, { first, after });
  }

  @FieldResolver(() => ApiKey, { nullable: true })
  async actor(@Root() event: AuditEvent, @Ctx() ctx: GraphQLContext): Promise<ApiKey | null> {
    return event.apiKeyId ? loadersOf(ctx).key.load(event.apiKeyId) : null;
  }

  @FieldResolver(() => Workspace)
  async workspace(@Root() event: AuditEvent, @Ctx() ctx: GraphQLContext): Promise<Workspace> {
    const ws = await loadersOf(ctx).workspace.load(event.workspaceId);
    if (!ws) throw new Error(`workspace ${event.workspaceId} of audit event ${event.id} is gone`);
    return ws;
  }
}
