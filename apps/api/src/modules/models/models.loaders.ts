import DataLoader from 'dataloader';
import { ApiKey, listFilesOfVersions, Model, ModelAlias, ModelVersion } from '@maas/db';
import { In, type DataSource } from 'typeorm';
import { mapKey } from '../auth/auth.mappers';
import type { ApiKey as ApiKeyType } from '../auth/auth.types';
import { policiesOfModels } from '../retraining/retrain-policy.service';
import type { RetrainPolicy } from '../retraining/retraining.types';
import { mapAlias, mapModel, mapVersion } from './models.mappers';
import type * as gql from './models.types';

/**
 * Per-request batch loaders: a page of models with their latest versions and aliases costs a
 * fixed number of queries, whatever the page size. Every query is scoped to the caller's workspace.
 */
export function createModelLoaders(db: DataSource, workspaceId: string) {
  const modelById = new DataLoader<string, gql.Model | null>(async (ids) => {
    const rows = await db.getRepository(Model).find({ where: { id: In([...ids]), workspaceId } });
    const byId = new Map(rows.map((r) => [r.id, mapModel(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  const versionById = new DataLoader<string, gql.ModelVersion | null>(async (ids) => {
    const rows = await db
      .getRepository(ModelVersion)
      .find({ where: { id: In([...ids]), workspaceId } });
    const byId = new Map(rows.map((r) => [r.id, mapVersion(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  const latestVersionByModelId = new DataLoader<string, gql.ModelVersion | null>(
    async (modelIds) => {
      const rows = await db
        .getRepository(ModelVersion)
        .createQueryBuilder('v')
        .distinctOn(['v.model_id'])
        .where('v.model_id IN (:...modelIds)', { modelIds: [...modelIds] })
        .andWhere('v.workspace_id = :workspaceId', { workspaceId })
        .orderBy('v.model_id')
        .addOrderBy('v.version', 'DESC')
        .getMany();
      const byModel = new Map(rows.map((r) => [r.modelId, mapVersion(r)]));
      for (const v of byModel.values()) versionById.prime(v.id, v);
      return modelIds.map((id) => byModel.get(id) ?? null);
    },
  );

  const aliasesByModelId = new DataLoader<string, gql.ModelAlias[]>(async (modelIds) => {
    const rows = await db
      .getRepository(ModelAlias)
      .find({ where: { modelId: In([...modelIds]), workspaceId }, order: { alias: 'ASC' } });
    const byModel = new Map<string, gql.ModelAlias[]>();
    for (const r of rows) {
      const list = byModel.get(r.modelId) ?? [];
      list.push(mapAlias(r));
      byModel.set(r.modelId, list);
    }
    return modelIds.map((id) => byModel.get(id) ?? []);
  });

  // Only versions of the caller's workspace reach this loader (they were loaded scoped to it).
  const filesByVersionId = new DataLoader<string, gql.BundleFile[]>(async (versionIds) => {
    const byVersion = await listFilesOfVersions(db.manager, versionIds);
    return versionIds.map((id) => byVersion.get(id) ?? []);
  });

  // The keys that moved an alias (AliasMove.actor): revoked ones too, like the audit log; only ids
  // read from the caller's workspace's rows reach it (a root key acts in every workspace).
  const keyById = new DataLoader<string, ApiKeyType | null>(async (ids) => {
    const rows = await db.getRepository(ApiKey).find({ where: { id: In([...ids]) } });
    const byId = new Map(rows.map((r) => [r.id, mapKey(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  // Model.retrainPolicy of a page of models: one query.
  const retrainPolicyByModelId = new DataLoader<string, RetrainPolicy | null>(async (modelIds) => {
    const byModel = await policiesOfModels(db, workspaceId, modelIds);
    return modelIds.map((id) => byModel.get(id) ?? null);
  });

  return {
    modelById,
    versionById,
    latestVersionByModelId,
    aliasesByModelId,
    filesByVersionId,
    keyById,
    retrainPolicyByModelId,
  };
}

export type ModelLoaders = ReturnType<typeof createModelLoaders>;
