import { Arg, Ctx, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { ModelVersion } from '../models/models.types';
import { abortOnReturn } from './abort-on-return';
import type { GenerationInput } from './generation-limits';
import type { StreamEvent } from './language-models.service';
import { EmbedInput, GenerateInput } from './language-models.inputs';
import { Embeddings, Generation, GenerationChunk, TokenUsage } from './language-models.types';

const tokenUsage = (u: { promptTokens: number; completionTokens: number }): TokenUsage => ({
  promptTokens: u.promptTokens,
  completionTokens: u.completionTokens,
  totalTokens: u.promptTokens + u.completionTokens,
});

function generationInput(input: GenerateInput): GenerationInput {
  return {
    prompt: input.prompt,
    messages: input.messages?.map((m) => ({ role: m.role, content: m.content })),
    maxTokens: input.maxTokens,
    temperature: input.temperature,
    topP: input.topP,
    topK: input.topK,
    seed: input.seed,
    stop: input.stop,
  };
}

async function versionOf(ctx: GraphQLContext, versionId: string): Promise<ModelVersion> {
  const version = await ctx.loaders.versionById.load(versionId);
  if (!version) throw new Error(`version ${versionId} is missing`);
  return version;
}

@Resolver(() => Generation)
export class GenerationResolver {
  @Query(() => Generation, {
    description: 'Generates text with a TEXT_GENERATION model (a Query: it changes no state)',
  })
  async generate(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => GenerateInput) input: GenerateInput,
  ): Promise<Generation> {
    // A caller that goes away frees its place in the batch (as the OpenAI routes do).
    const result = await ctx.services.languageModels.generate(
      ctx.auth,
      input.model,
      generationInput(input),
      ctx.signal,
    );
    return {
      id: result.id,
      text: result.text,
      finishReason: result.finishReason,
      usage: tokenUsage(result.usage),
      timeToFirstTokenMs: result.timeToFirstTokenMs,
      latencyMs: result.latencyMs,
      versionId: result.version.id,
    };
  }

  @FieldResolver(() => ModelVersion, { description: 'The version that generated' })
  modelVersion(@Root() generation: Generation, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    return versionOf(ctx, generation.versionId);
  }

  @Subscription(() => GenerationChunk, {
    description:
      'Streams the answer: one chunk per piece of new text, in order; the last one has finishReason and usage, then it completes. Unsubscribing cancels the generation.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const input = (args as { input: GenerateInput }).input;
      // Started before the first chunk is asked for, so a refusal is the operation's error.
      const controller = new AbortController();
      return ctx.services.languageModels
        .start(ctx.auth, input.model, generationInput(input), controller.signal)
        .then((stream) => abortOnReturn(controller, chunksOf(stream.id, stream)));
    },
  })
  generation(
    @Root() chunk: GenerationChunk,
    @Arg('input', () => GenerateInput) _input: GenerateInput,
  ): GenerationChunk {
    return chunk;
  }
}

async function* chunksOf(
  id: string,
  events: AsyncIterable<StreamEvent>,
): AsyncGenerator<GenerationChunk> {
  let index = 0;
  for await (const event of events) {
    if (event.type === 'text') {
      yield { id, index, text: event.text, finishReason: null, usage: null };
    } else {
      yield {
        id,
        index,
        text: '',
        finishReason: event.finishReason,
        usage: tokenUsage(event.usage),
      };
      return;
    }
    index += 1;
  }
}

@Resolver(() => Embeddings)
export class EmbeddingsResolver {
  @Query(() => Embeddings, {
    description: 'Embeddings of texts with an EMBEDDING model, one normalised vector per input',
  })
  async embed(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => EmbedInput) input: EmbedInput,
  ): Promise<Embeddings> {
    const result = await ctx.services.languageModels.embed(
      ctx.auth,
      input.model,
      input.inputs,
      ctx.signal,
    );
    return {
      vectors: result.vectors.map((v) => Array.from(v)),
      dimensions: result.dimensions,
      usage: tokenUsage({ promptTokens: result.promptTokens, completionTokens: 0 }),
      versionId: result.version.id,
    };
  }

  @FieldResolver(() => ModelVersion)
  modelVersion(@Root() embeddings: Embeddings, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    return versionOf(ctx, embeddings.versionId);
  }
}
