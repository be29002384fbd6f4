import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { forbidden } from '../../common/errors';
import { mapWorkspace } from '../auth/auth.mappers';
import { Workspace } from '../auth/auth.types';
import { Quota, QuotaInput, WorkspaceUsage } from './quotas.types';

/** Quota and usage are shown to the workspace's own keys (any role) and to the root key. */
function assertMayRead(ctx: GraphQLContext, workspace: Workspace): void {
  if (!ctx.auth.isRoot && ctx.auth.workspaceId !== workspace.id)
    throw forbidden("Only the workspace's own keys and the root key may read its quota and usage");
}

@Resolver(() => Workspace)
export class WorkspaceQuotaResolver {
  @FieldResolver(() => Quota)
  quota(@Root() workspace: Workspace, @Ctx() ctx: GraphQLContext): Quota {
    assertMayRead(ctx, workspace);
    return workspace.quotaValues;
  }

  @FieldResolver(() => WorkspaceUsage)
  usage(@Root() workspace: Workspace, @Ctx() ctx: GraphQLContext): Promise<WorkspaceUsage> {
    assertMayRead(ctx, workspace);
    return ctx.workspaceUsage.load(workspace.id);
  }

  @Mutation(() => Workspace, {
    description: 'Root key only; a field left out keeps its value, null makes it unlimited',
  })
  async setWorkspaceQuota(
    @Ctx() ctx: GraphQLContext,
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Arg('quota', () => QuotaInput) quota: QuotaInput,
  ): Promise<Workspace> {
    return mapWorkspace(await ctx.services.quotas.set(ctx.auth, workspaceId, { ...quota }));
  }
}
