import { Field, Float, InputType, Int } from 'type-graphql';

@InputType()
export class ChatMessageInput {
  @Field(() => String, { description: 'system, developer, user or assistant' })
  role!: string;

  @Field(() => String)
  content!: string;
}

@InputType()
export class GenerateInput {
  @Field(() => String, {
    description:
      'Resolved like PredictInput.model (a deployment, else a model: its production alias, else its latest version); "name@alias" and "name@3" pick one',
  })
  model!: string;

  @Field(() => String, { nullable: true, description: 'A completion prompt, or' })
  prompt?: string | null;

  @Field(() => [ChatMessageInput], {
    nullable: true,
    description: "Chat messages, rendered with the bundle's chat template",
  })
  messages?: ChatMessageInput[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Default: what the context leaves after the prompt, at most GENERATION_MAX_TOKENS',
  })
  maxTokens?: number | null;

  @Field(() => Float, { nullable: true, description: '0 = greedy; up to 2' })
  temperature?: number | null;

  @Field(() => Float, { nullable: true })
  topP?: number | null;

  @Field(() => Int, { nullable: true })
  topK?: number | null;

  @Field(() => Int, { nullable: true })
  seed?: number | null;

  @Field(() => [String], { nullable: true, description: 'At most 4' })
  stop?: string[] | null;
}

@InputType()
export class EmbedInput {
  @Field(() => String, { description: 'Resolved like GenerateInput.model' })
  model!: string;

  @Field(() => [String], { description: '1 to EMBEDDING_MAX_INPUTS texts' })
  inputs!: string[];
}
