import type * as db from '@maas/db';
import type { Model, ModelAlias, ModelVersion } from './models.types';

// Rows never leak into the API: each GraphQL type is mapped explicitly.
export function mapModel(row: db.Model): Model {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    task: row.task,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function mapVersion(row: db.ModelVersion): ModelVersion {
  return {
    id: row.id,
    modelId: row.modelId,
    workspaceId: row.workspaceId,
    version: row.version,
    source: row.source,
    signature: {
      inputs: row.signature.inputs,
      outputs: row.signature.outputs,
      features: row.signature.features ?? null,
      labels: row.signature.labels ?? null,
      categories: row.signature.categories ?? null,
      metadata: row.signature.metadata ?? null,
    },
    metrics: row.metrics,
    hyperparameters: row.hyperparameters,
    featureImportance: row.featureImportance,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    languageModel: row.languageModel
      ? {
          architecture: row.languageModel.architecture,
          contextLength: row.languageModel.contextLength,
          vocabularySize: row.languageModel.vocabularySize,
          layers: row.languageModel.layers,
          keyValueHeads: row.languageModel.keyValueHeads,
          headSize: row.languageModel.headSize,
          hasChatTemplate: row.languageModel.hasChatTemplate,
          embeddingDimensions: row.languageModel.embeddingDimensions,
        }
      : null,
    isBundle: row.graphPath !== null,
    trainingJobId: row.trainingJobId,
    parentVersionId: row.parentVersionId,
    createdAt: row.createdAt,
  };
}

export function mapAlias(row: db.ModelAlias): ModelAlias {
  return { alias: row.alias, modelId: row.modelId, versionId: row.versionId };
}
