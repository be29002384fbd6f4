import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MODEL_TASKS, VERSION_SOURCES, type ModelTask, type VersionSource } from '@maas/db';
import { PageInfo } from '../../common/pagination';
import { JSONScalar, SafeIntScalar } from '../../common/scalars';

export const ModelTaskEnum = Object.fromEntries(MODEL_TASKS.map((t) => [t, t])) as Record<
  ModelTask,
  ModelTask
>;
registerEnumType(ModelTaskEnum, { name: 'ModelTask' });
export const VersionSourceEnum = Object.fromEntries(VERSION_SOURCES.map((s) => [s, s])) as Record<
  VersionSource,
  VersionSource
>;
registerEnumType(VersionSourceEnum, { name: 'VersionSource' });

@ObjectType({ description: 'One tensor: OIP datatype name and shape, -1 for a dynamic dimension' })
export class TensorSpec {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  datatype!: string;

  @Field(() => [Int])
  shape!: number[];
}

@ObjectType()
export class ModelSignature {
  @Field(() => [TensorSpec])
  inputs!: TensorSpec[];

  @Field(() => [TensorSpec])
  outputs!: TensorSpec[];

  @Field(() => [String], {
    nullable: true,
    description: 'Tabular models: feature names in input order',
  })
  features?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Classifiers: class labels in output order',
  })
  labels?: string[] | null;

  @Field(() => JSONScalar, { nullable: true, description: '{feature: [category, ...]}' })
  categories?: Record<string, string[]> | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The ONNX metadata_props' })
  metadata?: Record<string, string> | null;
}

@ObjectType()
export class Model {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => ModelTaskEnum)
  task!: ModelTask;

  @Field(() => JSONScalar)
  tags!: Record<string, unknown>;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  // Not exposed: used by field resolvers.
  workspaceId!: string;
}

@ObjectType({
  description: 'One file of a bundle version: its path in the bundle, size and sha256',
})
export class BundleFile {
  @Field(() => String)
  path!: string;

  @Field(() => SafeIntScalar)
  sizeBytes!: number;

  @Field(() => String)
  sha256!: string;
}

@ObjectType({
  description: "What a language-model bundle's config.json says, checked against its graph",
})
export class LanguageModelInfo {
  @Field(() => String, { description: 'config.json model_type, e.g. "gpt2", "llama", "bert"' })
  architecture!: string;

  @Field(() => Int)
  contextLength!: number;

  @Field(() => Int)
  vocabularySize!: number;

  @Field(() => Int)
  layers!: number;

  @Field(() => Int, { nullable: true, description: 'Decoders: key/value heads of the KV cache' })
  keyValueHeads!: number | null;

  @Field(() => Int, { nullable: true, description: 'Decoders: the size of one attention head' })
  headSize!: number | null;

  @Field(() => Boolean)
  hasChatTemplate!: boolean;

  @Field(() => Int, { nullable: true, description: 'EMBEDDING models: the vector width' })
  embeddingDimensions!: number | null;
}

@ObjectType({
  description:
    "A feature's permutation importance: the mean increase of the loss (MSE, or log loss for classifiers) when its column is shuffled",
})
export class FeatureImportance {
  @Field(() => String)
  feature!: string;

  @Field(() => Float)
  importance!: number;
}

@ObjectType()
export class ModelVersion {
  @Field(() => ID)
  id!: string;

  @Field(() => [FeatureImportance], {
    nullable: true,
    description:
      'Permutation importance, most important first: on the validation split at the end of training, or (an uploaded version) on the rows of its latest evaluation job; null until then',
  })
  featureImportance!: FeatureImportance[] | null;

  @Field(() => Int)
  version!: number;

  @Field(() => VersionSourceEnum)
  source!: VersionSource;

  @Field(() => ModelSignature)
  signature!: ModelSignature;

  @Field(() => JSONScalar, { nullable: true })
  metrics!: Record<string, unknown> | null;

  @Field(() => JSONScalar, { nullable: true })
  hyperparameters!: Record<string, unknown> | null;

  @Field(() => SafeIntScalar, {
    description: "The model file's size; for a bundle, its files' total",
  })
  sizeBytes!: number;

  @Field(() => String, { description: "The model file's sha256; for a bundle, its graph's" })
  sha256!: string;

  @Field(() => LanguageModelInfo, {
    nullable: true,
    description: 'TEXT_GENERATION and EMBEDDING bundles: what their config.json says',
  })
  languageModel!: LanguageModelInfo | null;

  @Field(() => Date)
  createdAt!: Date;

  /** A bundle version (its files are listed by the `files` field). */
  isBundle!: boolean;
  modelId!: string;
  workspaceId!: string;
  trainingJobId!: string | null;
  parentVersionId!: string | null;
}

export const ServingStateEnum = { SERVING: 'SERVING', QUARANTINED: 'QUARANTINED' } as const;
registerEnumType(ServingStateEnum, {
  name: 'ServingState',
  description: 'SERVING, or QUARANTINED after repeated timeouts or crashes (predictions fail fast)',
});

@ObjectType({
  description:
    'Whether the answering replica serves a version. Quarantine is kept in memory per API replica.',
})
export class VersionServingStatus {
  @Field(() => ServingStateEnum)
  state!: keyof typeof ServingStateEnum;

  @Field(() => String, { nullable: true, description: 'Why the version is quarantined' })
  reason?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the quarantine began' })
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When predictions will be tried again' })
  until?: Date | null;

  @Field(() => Int, { description: 'Timeouts and crashes counted in the current window' })
  recentFailures!: number;
}

@ObjectType()
export class ModelAlias {
  @Field(() => String)
  alias!: string;

  modelId!: string;
  versionId!: string;
}

@ObjectType({
  description:
    'One move of an alias: setModelAlias, or the production alias of a completed promotion',
})
export class AliasMove {
  @Field(() => Date)
  at!: Date;

  versionId!: string;
  previousVersionId!: string | null;
  apiKeyId!: string | null;
  promotionId!: string | null;
}

@ObjectType()
export class ModelEdge {
  @Field(() => Model)
  node!: Model;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class ModelConnection {
  @Field(() => [ModelEdge])
  edges!: ModelEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType()
export class ModelVersionEdge {
  @Field(() => ModelVersion)
  node!: ModelVersion;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class ModelVersionConnection {
  @Field(() => [ModelVersionEdge])
  edges!: ModelVersionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
