import { Model, ModelVersion } from '@maas/db';
import {
  HyperparameterError,
  TrainingError,
  WarmStartError,
  modelSpecFromMetadata,
  type WarmStartParent,
} from '@maas/training';
import type { DataSource } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { assertId } from '../../common/scalars';
import type { AuthInfo } from '../auth/auth.service';

/** The version a model update continues from, with what the warm-start rules need of it. */
export interface WarmStartVersion {
  id: string;
  version: number;
  /** The parent's model spec, from the `maas.state` metadata of its stored signature. */
  spec: WarmStartParent;
}

/**
 * Finds the parent version of a model update: a version of the same model, trained by maas (its
 * signature carries the model spec). Anything else is BAD_USER_INPUT on `warmStartVersionId`.
 */
export async function findWarmStartVersion(
  db: DataSource,
  auth: AuthInfo,
  model: Model,
  versionId: string,
): Promise<WarmStartVersion> {
  const parent = await db.getRepository(ModelVersion).findOne({
    where: { id: assertId(versionId, 'warmStartVersionId'), workspaceId: auth.workspaceId },
  });
  if (!parent) throw notFound(`Model version ${versionId} does not exist`);
  if (parent.modelId !== model.id) {
    const owner = await db.getRepository(Model).findOne({ where: { id: parent.modelId } });
    throw badInput(
      `Version ${parent.version} of model "${owner?.name ?? parent.modelId}" cannot be warm-started into model "${model.name}": a model update continues from a version of the same model`,
      { field: 'warmStartVersionId' },
    );
  }
  try {
    return {
      id: parent.id,
      version: parent.version,
      spec: modelSpecFromMetadata(parent.signature.metadata),
    };
  } catch (err) {
    if (err instanceof TrainingError)
      throw badInput(`Version ${parent.version} cannot be warm-started: ${err.message}`, {
        field: 'warmStartVersionId',
      });
    throw err;
  }
}

/**
 * A hyperparameter or warm-start refusal from @maas/training as BAD_USER_INPUT, naming the input
 * to change (`field`, and `key` for a hyperparameter); anything else is rethrown.
 */
export function trainingInputError(err: unknown, parent: WarmStartVersion | null): unknown {
  if (err instanceof HyperparameterError)
    return badInput(err.message, {
      field: 'hyperparameters',
      ...(err.key ? { key: err.key } : {}),
    });
  if (err instanceof WarmStartError) {
    return badInput(`Cannot continue from version ${parent?.version ?? '?'}: ${err.message}`, {
      field: err.field === 'dataset' ? 'datasetId' : err.field,
      ...(err.key ? { key: err.key } : {}),
    });
  }
  return err;
}
