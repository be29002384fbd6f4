import { ApiKey as ApiKeyRow, Workspace as WorkspaceRow, type Role } from '@maas/db';
import { mapKey, mapWorkspace } from './auth.mappers';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { assertId } from '../../common/scalars';
import { ApiKey, CreatedApiKey, RoleEnum, Viewer, Workspace } from './auth.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => Viewer, { description: 'Who the caller is: what the console asks at sign-in' })
  async viewer(@Ctx() ctx: GraphQLContext): Promise<Viewer> {
    const db = ctx.services.db;
    const [key, ws] = await Promise.all([
      db.getRepository(ApiKeyRow).findOneOrFail({ where: { id: ctx.auth.apiKeyId } }),
      db.getRepository(WorkspaceRow).findOneOrFail({ where: { id: ctx.auth.workspaceId } }),
    ]);
    return {
      apiKey: mapKey(key),
      role: key.role,
      workspace: mapWorkspace(ws),
      isRoot: key.isRoot,
    };
  }

  @Query(() => [ApiKey], { description: "ADMIN: the workspace's keys, by name" })
  async apiKeys(@Ctx() ctx: GraphQLContext): Promise<ApiKey[]> {
    return (await ctx.services.auth.listApiKeys(ctx.auth)).map(mapKey);
  }

  @Mutation(() => CreatedApiKey, { description: 'workspaceId: root key only' })
  async createApiKey(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Arg('workspaceId', () => ID, { nullable: true }) workspaceId: string | null,
  ): Promise<CreatedApiKey> {
    const { apiKey, secret } = await ctx.services.auth.createApiKey(
      ctx.auth,
      name,
      role,
      workspaceId ? assertId(workspaceId, 'workspaceId') : null,
    );
    return { apiKey: mapKey(apiKey), secret };
  }

  @Mutation(() => ApiKey)
  async revokeApiKey(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return mapKey(await ctx.services.auth.revokeApiKey(ctx.auth, assertId(id)));
  }

  @FieldResolver(() => Workspace)
  async workspace(@Root() key: ApiKey, @Ctx() ctx: GraphQLContext): Promise<Workspace> {
    return mapWorkspace(
      await ctx.services.db
        .getRepository(WorkspaceRow)
        .findOneOrFail({ where: { id: key.workspaceId } }),
    );
  }
}

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @Query(() => [Workspace], { description: 'Root key only' })
  async workspaces(@Ctx() ctx: GraphQLContext): Promise<Workspace[]> {
    return (await ctx.services.auth.listWorkspaces(ctx.auth)).map(mapWorkspace);
  }

  @Mutation(() => Workspace, { description: 'Root key only' })
  async createWorkspace(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
  ): Promise<Workspace> {
    return mapWorkspace(await ctx.services.auth.createWorkspace(ctx.auth, name));
  }
}
