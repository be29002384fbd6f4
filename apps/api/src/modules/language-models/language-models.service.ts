import { randomUUID } from 'node:crypto';
import { Deployment, Model, ModelAlias, ModelVersion } from '@maas/db';
import { In, type DataSource } from 'typeorm';
import { badInput, notFound, rateLimited, UserError } from '../../common/errors';
import type { ApiMetrics } from '../../common/metrics';
import type { AuthInfo } from '../auth/auth.service';
import { toUserError } from '../predictions/predictions.service';
import type { ServingStatsRecorder } from '../predictions/serving-stats';
import {
  parseModelReference,
  TargetResolver,
  type ResolvedTarget,
  type ServedVersion,
} from '../predictions/target-resolver';
import type { UsageMeter } from '../usage/usage-meter';
import {
  checkEmbeddingInputs,
  checkGeneration,
  type GenerationInput,
  type GenerationLimits,
} from './generation-limits';
import {
  LanguageModelError,
  type FinishReason,
  type GenerationEvent,
  type LanguageModelBackend,
  type TokenCounts,
} from './language-model-backend';

export const LANGUAGE_MODEL_TASKS = ['TEXT_GENERATION', 'EMBEDDING'] as const;
export type LanguageModelTask = (typeof LANGUAGE_MODEL_TASKS)[number];

/** At most this many ids in `GET /v1/models`. */
const MAX_LISTED_MODELS = 1000;

/** A generation under way: its first event has arrived, so its prompt was accepted. */
export interface GenerationStream extends AsyncIterable<StreamEvent> {
  id: string;
  /** Unix seconds, as OpenAI's `created`. */
  created: number;
  version: ServedVersion;
}

export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage: TokenCounts };

/** A finished generation, for non-streaming answers. */
export interface GenerationResult {
  id: string;
  created: number;
  version: ServedVersion;
  text: string;
  finishReason: FinishReason;
  usage: TokenCounts;
  timeToFirstTokenMs: number;
  latencyMs: number;
}

export interface EmbeddingsResult {
  version: ServedVersion;
  vectors: Float32Array[];
  dimensions: number;
  promptTokens: number;
}

/** One id of `GET /v1/models`. */
export interface ListedModel {
  id: string;
  created: Date;
  task: LanguageModelTask;
}

/** A generation or embedding stopped because its caller went away (or the server is closing). */
function cancelled(): UserError {
  return new UserError('MODEL_UNAVAILABLE', 'The request was cancelled before it finished', {
    reason: 'CANCELLED',
    retryable: true,
    retryAfterSeconds: 1,
  });
}

/**
 * Engine refusals as the caller should see them (BAD_USER_INPUT / RATE_LIMITED with a reason);
 * the engine's and the inference workers' other failures as predictions show them, and what an
 * abort (`signal`) ended as CANCELLED.
 */
function languageModelUserError(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted && !(err instanceof UserError)) return cancelled();
  if (!(err instanceof LanguageModelError)) return toUserError(err);
  if (err.reason === 'BUSY')
    return rateLimited(err.message, err.retryAfterMs / 1000, { reason: 'ENGINE_BUSY' });
  return badInput(err.message, { reason: err.reason, param: err.param });
}

/**
 * Text generation and embeddings for TEXT_GENERATION and EMBEDDING versions, behind the OpenAI
 * routes and GraphQL alike: name resolution (`name`, `name@alias`, `name@3`), the daily token
 * quota, the engine, and the bookkeeping (usage, metrics, serving stats). Every generation is
 * aborted when its caller's signal aborts or the server closes.
 */
export class LanguageModelsService {
  private readonly closing = new AbortController();

  constructor(
    private readonly db: DataSource,
    private readonly resolver: TargetResolver,
    private readonly backend: LanguageModelBackend,
    private readonly meter: UsageMeter,
    private readonly stats: ServingStatsRecorder,
    private readonly metrics: ApiMetrics,
    readonly limits: GenerationLimits,
  ) {}

  /** Aborts every generation in flight (server shutdown). */
  close(): Promise<void> {
    this.closing.abort();
    return Promise.resolve();
  }

  /** Resolves `reference` to the version it serves now, which must be of `task`. */
  async resolve(
    auth: AuthInfo,
    reference: string,
    task: LanguageModelTask,
  ): Promise<{ target: ResolvedTarget; version: ServedVersion }> {
    const target = await this.resolver.resolve(auth.workspaceId, parseModelReference(reference));
    const version = TargetResolver.pick(target);
    if (!(LANGUAGE_MODEL_TASKS as readonly string[]).includes(version.modelTask))
      throw notFound(
        `"${reference}" is a ${version.modelTask} model, not a language model: use predict`,
      );
    if (version.modelTask !== task)
      throw badInput(
        task === 'EMBEDDING'
          ? `"${reference}" generates text: embeddings need an EMBEDDING model`
          : `"${reference}" is an EMBEDDING model: it does not generate text, use embeddings`,
        { param: 'model' },
      );
    return { target, version };
  }

  /**
   * Starts a generation and waits for its first event, so that a refused prompt (context length,
   * chat template) fails here, before a streaming answer has begun. Checks the token quota first.
   */
  async start(
    auth: AuthInfo,
    reference: string,
    input: GenerationInput,
    signal: AbortSignal,
    defaultMaxTokens = this.limits.maxTokens,
  ): Promise<GenerationStream> {
    const request = checkGeneration(input, this.limits, defaultMaxTokens);
    const { target, version } = await this.resolve(auth, reference, 'TEXT_GENERATION');
    await this.meter.assertTokensAvailable(auth, 1);
    const aborted = AbortSignal.any([signal, this.closing.signal]);
    const started = performance.now();
    const source = this.backend
      .generate({ id: version.id, sha256: version.sha256 }, request, {
        signal: aborted,
      })
      [Symbol.asyncIterator]();
    const usage = { promptTokens: 0, completionTokens: 0 };
    let ok = false;
    let firstAt: number | undefined;
    let lastAt = started;
    const settle = () => {
      const latencyMs = performance.now() - started;
      this.meter.recordTokens(
        auth,
        { modelId: version.modelId, deploymentId: target.deploymentId },
        usage,
      );
      this.metrics.generations.inc({ status: ok ? 'ok' : aborted.aborted ? 'aborted' : 'error' });
      if (target.deploymentId)
        this.stats.record(auth.workspaceId, target.deploymentId, version.id, latencyMs, ok, {
          ...usage,
          ...(firstAt !== undefined ? { timeToFirstTokenMs: firstAt - started } : {}),
        });
    };
    const observe = (event: GenerationEvent): StreamEvent | undefined => {
      if (event.type === 'done') {
        usage.promptTokens = event.usage.promptTokens;
        usage.completionTokens = event.usage.completionTokens;
        ok = true;
        return { type: 'done', finishReason: event.finishReason, usage: { ...usage } };
      }
      const now = performance.now();
      if (firstAt === undefined) {
        firstAt = now;
        this.metrics.timeToFirstToken.observe((now - started) / 1000);
      } else if (event.tokens > 0) {
        this.metrics.interTokenLatency.observe((now - lastAt) / 1000 / event.tokens);
      }
      lastAt = now;
      usage.completionTokens += event.tokens;
      return event.text.length > 0 ? { type: 'text', text: event.text } : undefined;
    };

    let first: IteratorResult<GenerationEvent>;
    try {
      first = await source.next();
    } catch (err) {
      settle();
      throw languageModelUserError(err, aborted);
    }
    const events = async function* (): AsyncGenerator<StreamEvent> {
      // Whether the engine's iterator ended by itself; if not (a `done` event seen, the consumer
      // gone), it is returned so it frees its slot.
      let ended = first.done === true;
      try {
        let current = first;
        while (!current.done) {
          const out = observe(current.value);
          if (out) yield out;
          if (out?.type === 'done') break;
          current = await source.next();
          ended = current.done === true;
        }
      } catch (err) {
        ended = true;
        throw languageModelUserError(err, aborted);
      } finally {
        if (!ended) await source.return?.().catch(() => undefined);
        settle();
      }
    };
    const iterable = events();
    return {
      id: randomUUID(),
      created: Math.floor(Date.now() / 1000),
      version,
      [Symbol.asyncIterator]: () => iterable,
    };
  }

  /** A whole generation, for non-streaming answers. */
  async generate(
    auth: AuthInfo,
    reference: string,
    input: GenerationInput,
    signal: AbortSignal,
    defaultMaxTokens = this.limits.maxTokens,
  ): Promise<GenerationResult> {
    const started = performance.now();
    const stream = await this.start(auth, reference, input, signal, defaultMaxTokens);
    let text = '';
    let firstAt: number | undefined;
    for await (const event of stream) {
      if (event.type === 'text') {
        firstAt ??= performance.now();
        text += event.text;
      } else {
        const end = performance.now();
        return {
          id: stream.id,
          created: stream.created,
          version: stream.version,
          text,
          finishReason: event.finishReason,
          usage: event.usage,
          timeToFirstTokenMs: (firstAt ?? end) - started,
          latencyMs: end - started,
        };
      }
    }
    // The engine ended without a final event: only an abort does that.
    throw cancelled();
  }

  /** Embeddings of `inputs` (EMBEDDING_MAX_INPUTS at most), one vector per input, in order. */
  async embed(
    auth: AuthInfo,
    reference: string,
    inputs: string[],
    signal: AbortSignal,
  ): Promise<EmbeddingsResult> {
    checkEmbeddingInputs(inputs, this.limits);
    const { target, version } = await this.resolve(auth, reference, 'EMBEDDING');
    const started = performance.now();
    let ok = false;
    let promptTokens = 0;
    const aborted = AbortSignal.any([signal, this.closing.signal]);
    try {
      const result = await this.backend.embed({ id: version.id, sha256: version.sha256 }, inputs, {
        signal: aborted,
      });
      promptTokens = result.promptTokens;
      ok = true;
      return {
        version,
        vectors: result.vectors,
        dimensions: result.vectors[0]?.length ?? 0,
        promptTokens,
      };
    } catch (err) {
      throw languageModelUserError(err, aborted);
    } finally {
      this.meter.recordTokens(
        auth,
        { modelId: version.modelId, deploymentId: target.deploymentId },
        { promptTokens, completionTokens: 0 },
      );
      this.metrics.embeddings.inc({ status: ok ? 'ok' : 'error' });
      if (target.deploymentId)
        this.stats.record(
          auth.workspaceId,
          target.deploymentId,
          version.id,
          performance.now() - started,
          ok,
          { promptTokens, completionTokens: 0 },
        );
    }
  }

  /**
   * The ids the workspace's language models answer to: each model with a version, its aliases
   * (`name@alias`), and the deployments that route to one; by name.
   */
  async list(auth: AuthInfo): Promise<ListedModel[]> {
    const models = await this.db
      .getRepository(Model)
      .createQueryBuilder('m')
      .where('m.workspaceId = :ws', { ws: auth.workspaceId })
      // As text: the enum may not know the language-model tasks on an older database.
      .andWhere('m.task::text IN (:...tasks)', { tasks: [...LANGUAGE_MODEL_TASKS] })
      .andWhere(
        (qb) =>
          `EXISTS ${qb.subQuery().select('1').from(ModelVersion, 'v').where('v.modelId = m.id').getQuery()}`,
      )
      .orderBy('m.name', 'ASC')
      .limit(MAX_LISTED_MODELS)
      .getMany();
    if (models.length === 0) return [];
    const byId = new Map(models.map((m) => [m.id, m]));
    const ids = [...byId.keys()];
    const [aliases, deployments] = await Promise.all([
      this.db
        .getRepository(ModelAlias)
        .find({ where: { modelId: In(ids) }, take: MAX_LISTED_MODELS }),
      this.db.getRepository(Deployment).find({
        where: { workspaceId: auth.workspaceId, modelId: In(ids) },
        take: MAX_LISTED_MODELS,
      }),
    ]);
    const listed: ListedModel[] = [];
    for (const m of models)
      listed.push({ id: m.name, created: m.createdAt, task: m.task as LanguageModelTask });
    for (const a of aliases) {
      const m = byId.get(a.modelId);
      if (m)
        listed.push({
          id: `${m.name}@${a.alias}`,
          created: a.updatedAt,
          task: m.task as LanguageModelTask,
        });
    }
    for (const d of deployments) {
      const m = byId.get(d.modelId);
      if (m) listed.push({ id: d.name, created: d.createdAt, task: m.task as LanguageModelTask });
    }
    return listed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
