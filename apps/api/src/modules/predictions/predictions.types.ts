import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar, SafeIntScalar } from '../../common/scalars';
import { Explanation } from '../explanations/explanations.types';

@InputType()
export class PredictInput {
  @Field(() => String, { description: 'A deployment name, or a model name' })
  model!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Default: alias "production", else the latest version',
  })
  version?: number | null;

  @Field(() => String, { nullable: true })
  alias?: string | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Tensors by input name: nested arrays, or {"shape": [...], "data": [...]}',
  })
  inputs?: unknown;

  @Field(() => [JSONScalar], { nullable: true, description: 'Tabular rows by feature name' })
  records?: unknown[] | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      'Explain each record (tabular records only, at most 32): Prediction.explanation (docs/api.md, "Explanations")',
  })
  explain?: boolean | null;
}

@ObjectType()
export class Prediction {
  @Field(() => ID, {
    description:
      'The prediction id, logged or not; a logged one takes feedback (recordFeedback, POST /v1/feedback)',
  })
  id!: string;

  @Field(() => JSONScalar, {
    description: '{outputName: nested array}; tabular models also "predictions" per record',
  })
  outputs!: Record<string, unknown>;

  @Field(() => Float)
  latencyMs!: number;

  @Field(() => [String], {
    description: 'Outputs that are not tensors (e.g. ZipMap sequences), left out of outputs',
  })
  skippedOutputs!: string[];

  @Field(() => Explanation, {
    nullable: true,
    description: 'Per-record feature contributions, when the request set explain',
  })
  explanation?: Explanation | null;

  versionId!: string;
}

@ObjectType()
export class InferenceStatus {
  @Field(() => String, { description: '"cuda" or "cpu"' })
  executionProvider!: string;

  @Field(() => Int, { description: 'Engine threads, or remote workers reachable' })
  workers!: number;

  @Field(() => Int)
  loadedVersions!: number;

  @Field(() => SafeIntScalar)
  loadedBytes!: number;
}
