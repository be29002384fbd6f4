import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class TokenUsage {
  @Field(() => Int)
  promptTokens!: number;

  @Field(() => Int)
  completionTokens!: number;

  @Field(() => Int)
  totalTokens!: number;
}

@ObjectType()
export class Generation {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  text!: string;

  @Field(() => String, { description: '"stop" or "length"' })
  finishReason!: string;

  @Field(() => TokenUsage)
  usage!: TokenUsage;

  @Field(() => Float)
  timeToFirstTokenMs!: number;

  @Field(() => Float)
  latencyMs!: number;

  versionId!: string;
}

@ObjectType()
export class GenerationChunk {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: '0, 1, 2 ... in order' })
  index!: number;

  @Field(() => String, { description: 'The new text since the previous chunk' })
  text!: string;

  @Field(() => String, { nullable: true, description: 'Set on the last chunk' })
  finishReason?: string | null;

  @Field(() => TokenUsage, { nullable: true, description: 'Set on the last chunk' })
  usage?: TokenUsage | null;
}

@ObjectType()
export class Embeddings {
  @Field(() => [[Float]])
  vectors!: number[][];

  @Field(() => Int)
  dimensions!: number;

  @Field(() => TokenUsage)
  usage!: TokenUsage;

  versionId!: string;
}
