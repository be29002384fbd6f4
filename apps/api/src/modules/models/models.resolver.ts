import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { ApiKey } from '../auth/auth.types';
import { ALIAS_HISTORY_LIMIT } from './alias-moves';
import { CreateModelInput, ModelFilter, UpdateModelInput } from './models.inputs';
import {
  AliasMove,
  BundleFile,
  Model,
  ModelAlias,
  ModelConnection,
  ModelVersion,
  ModelVersionConnection,
  VersionServingStatus,
} from './models.types';

@Resolver(() => Model)
export class ModelResolver {
  @Query(() => ModelConnection, { description: "Models of the caller's workspace, newest first" })
  models(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => ModelFilter, { nullable: true }) filter: ModelFilter | null,
  ): Promise<ModelConnection> {
    return ctx.services.models.list(ctx.auth, {
      first,
      after,
      search: filter?.search,
      task: filter?.task,
    });
  }

  @Query(() => Model, { nullable: true, description: 'A model by id or by name (exactly one)' })
  model(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('name', () => String, { nullable: true }) name: string | null,
  ): Promise<Model | null> {
    return ctx.services.models.find(ctx.auth, id, name);
  }

  @Mutation(() => Model)
  createModel(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateModelInput) input: CreateModelInput,
  ): Promise<Model> {
    return ctx.services.models.create(ctx.auth, input);
  }

  @Mutation(() => Model)
  updateModel(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateModelInput) input: UpdateModelInput,
  ): Promise<Model> {
    return ctx.services.models.update(ctx.auth, id, input);
  }

  @Mutation(() => Boolean, {
    description: 'Refused (CONFLICT) while a deployment routes to the model',
  })
  deleteModel(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.models.delete(ctx.auth, id);
  }

  @Mutation(() => ModelAlias)
  setModelAlias(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('alias', () => String) alias: string,
    @Arg('version', () => Int) version: number,
  ): Promise<ModelAlias> {
    return ctx.services.models.setAlias(ctx.auth, modelId, alias, version);
  }

  @Mutation(() => Boolean)
  deleteModelAlias(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('alias', () => String) alias: string,
  ): Promise<boolean> {
    return ctx.services.models.deleteAlias(ctx.auth, modelId, alias);
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Highest version first' })
  versions(
    @Root() model: Model,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ModelVersionConnection> {
    return ctx.services.models.listVersions(ctx.auth, model.id, { first, after });
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  latestVersion(@Root() model: Model, @Ctx() ctx: GraphQLContext): Promise<ModelVersion | null> {
    return ctx.loaders.latestVersionByModelId.load(model.id);
  }

  @FieldResolver(() => [ModelAlias])
  aliases(@Root() model: Model, @Ctx() ctx: GraphQLContext): Promise<ModelAlias[]> {
    return ctx.loaders.aliasesByModelId.load(model.id);
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true })
  modelVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<ModelVersion | null> {
    return ctx.services.models.findVersion(ctx.auth, id);
  }

  @Mutation(() => Boolean, {
    description: 'Refused (CONFLICT) while an alias names it or a deployment routes to it',
  })
  deleteModelVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
  ): Promise<boolean> {
    return ctx.services.models.deleteVersion(ctx.auth, id);
  }

  @FieldResolver(() => Model)
  async model(@Root() version: ModelVersion, @Ctx() ctx: GraphQLContext): Promise<Model> {
    const model = await ctx.loaders.modelById.load(version.modelId);
    if (!model) throw new Error(`model ${version.modelId} of version ${version.id} is missing`);
    return model;
  }

  @FieldResolver(() => [BundleFile], {
    description:
      "A bundle's files by path (config, tokenizer, graph, external data); empty for a single-file version",
  })
  files(@Root() version: ModelVersion, @Ctx() ctx: GraphQLContext): Promise<BundleFile[]> {
    return version.isBundle ? ctx.loaders.filesByVersionId.load(version.id) : Promise.resolve([]);
  }

  @FieldResolver(() => VersionServingStatus, {
    description: 'Whether this replica serves the version now, or has quarantined it',
  })
  servingStatus(@Root() version: ModelVersion, @Ctx() ctx: GraphQLContext): VersionServingStatus {
    return ctx.services.predictions.servingStatus(version.id);
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'The version a model update started from',
  })
  parentVersion(
    @Root() version: ModelVersion,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelVersion | null> {
    return version.parentVersionId
      ? ctx.loaders.versionById.load(version.parentVersionId)
      : Promise.resolve(null);
  }
}

@Resolver(() => AliasMove)
export class AliasMoveResolver {
  @FieldResolver(() => ModelVersion)
  async version(@Root() move: AliasMove, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(move.versionId);
    if (!version) throw new Error(`version ${move.versionId} of an alias move is missing`);
    return version;
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'null: the alias did not exist before (or that version was deleted)',
  })
  previousVersion(@Root() move: AliasMove, @Ctx() ctx: GraphQLContext) {
    return move.previousVersionId
      ? ctx.loaders.versionById.load(move.previousVersionId)
      : Promise.resolve(null);
  }

  @FieldResolver(() => ApiKey, {
    nullable: true,
    description: 'The key that moved it (a promotion: the key that started it); null: the platform',
  })
  actor(@Root() move: AliasMove, @Ctx() ctx: GraphQLContext): Promise<ApiKey | null> {
    return move.apiKeyId ? ctx.loaders.keyById.load(move.apiKeyId) : Promise.resolve(null);
  }
}

@Resolver(() => ModelAlias)
export class ModelAliasResolver {
  @FieldResolver(() => [AliasMove], {
    description: `Who moved the alias to which version, when; newest first, the last ${ALIAS_HISTORY_LIMIT}`,
  })
  history(@Root() alias: ModelAlias, @Ctx() ctx: GraphQLContext): Promise<AliasMove[]> {
    return ctx.services.models.aliasHistory(ctx.auth, alias.modelId, alias.alias);
  }

  @FieldResolver(() => ModelVersion)
  async version(@Root() alias: ModelAlias, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(alias.versionId);
    if (!version) throw new Error(`version ${alias.versionId} of alias ${alias.alias} is missing`);
    return version;
  }
}
