import {
  decodeTensorInputs,
  encodeTensorOutput,
  InferenceInputError,
  InferenceRunError,
  InferenceTimeoutError,
  isSupportedDatatype,
  ModelUnavailableError,
  WorkerUnavailableError,
  type ServingStatus,
  type DecodedTensor,
  type InferenceStatus,
  type NestedJson,
  type VersionKey,
} from '@maas/inference';
import { badInput, UserError } from '../../common/errors';
import type { ApiMetrics } from '../../common/metrics';
import type { AuthInfo } from '../auth/auth.service';
import type {
  ExplanationMethod,
  ExplanationPlan,
  ExplanationResult,
  ExplanationsService,
} from '../explanations/explanations.service';
import type { PredictionAdmission, UsageMeter } from '../usage/usage-meter';
import { issuePredictionId } from './prediction-id';
import type { PredictionLogWriter } from './prediction-log';
import type { ServingStatsRecorder } from './serving-stats';
import { recordsToTensor, tabularOutputs } from './tabular';
import { TargetResolver, type ServedVersion, type TargetQuery } from './target-resolver';

/** Where tensors are run: the in-process engine, or remote inference workers. */
export interface InferenceBackend {
  infer(
    key: VersionKey,
    inputs: Record<string, DecodedTensor>,
    opts?: { outputs?: readonly string[]; timeoutMs?: number },
  ): Promise<Record<string, DecodedTensor>>;
  status(): InferenceStatus | Promise<InferenceStatus>;
  /** Whether this replica serves a version or has quarantined it; absent: always SERVING. */
  servingStatus?(versionId: string): ServingStatus;
}

export interface PredictArgs extends TargetQuery {
  inputs?: unknown;
  records?: unknown[] | null;
  /** Explain each record (tabular models only; docs/api.md, "Explanations"). */
  explain?: boolean | null;
  /** Not in the public API: forces the sampling path on a linear model (tests compare the two). */
  explainMethod?: ExplanationMethod;
}

export interface PredictionResult {
  /** Returned whether or not the prediction was logged; only a logged one takes feedback. */
  id: string;
  version: ServedVersion;
  outputs: Record<string, unknown>;
  /** Outputs that are not tensors (e.g. ZipMap), left out of `outputs`. */
  skippedOutputs: string[];
  latencyMs: number;
  /** Present when the request asked for `explain`. */
  explanation?: ExplanationResult;
}

/** Outputs ONNX Runtime cannot hand to JavaScript (sequences, maps): skipped with a note. */
export function nonTensorOutputs(outputs: readonly { name: string; datatype: string }[]): string[] {
  return outputs.filter((o) => !isSupportedDatatype(o.datatype)).map((o) => o.name);
}

/** Engine errors as the caller should see them. */
export function toUserError(err: unknown): unknown {
  if (err instanceof InferenceInputError || err instanceof InferenceRunError)
    return badInput(err.message);
  if (err instanceof InferenceTimeoutError) {
    return new UserError(
      'PREDICT_TIMEOUT',
      `${err.message}; raise PREDICT_TIMEOUT_MS or send smaller batches`,
      { retryable: false },
    );
  }
  if (err instanceof WorkerUnavailableError) {
    return new UserError('MODEL_UNAVAILABLE', err.message, {
      reason: 'NO_INFERENCE_WORKER',
      retryable: true,
      retryAfterSeconds: 1,
    });
  }
  if (err instanceof ModelUnavailableError) {
    return new UserError('MODEL_UNAVAILABLE', err.message, {
      reason: err.reason,
      retryable: true,
      retryAfterSeconds: Math.max(1, Math.ceil(err.retryAfterMs / 1000)),
    });
  }
  return err;
}

/**
 * Runs the engine on the served version, once the batch is admitted under the daily quota:
 * its rows, plus `extraRows` that the request will run afterwards through `more` (an explanation's
 * model evaluations), all counted as prediction rows.
 */
type Runner = (
  feeds: Record<string, DecodedTensor>,
  outputs?: readonly string[],
  extraRows?: number,
) => Promise<Record<string, DecodedTensor>>;

/** Runs more batches on the served version, under the admission of the first `run`. */
type MoreRunner = (feeds: Record<string, DecodedTensor>) => Promise<Record<string, DecodedTensor>>;

/** The rows of a batch: the first dimension of its first input (a scalar input is one row). */
export function batchRows(feeds: Record<string, DecodedTensor>): number {
  const first = Object.values(feeds)[0];
  if (!first) return 1;
  return first.shape.length === 0 ? 1 : (first.shape[0] ?? 1);
}

/** predict and OIP infer: name resolution, input decoding, the engine, and the bookkeeping. */
export class PredictionsService {
  constructor(
    readonly resolver: TargetResolver,
    private readonly backend: InferenceBackend,
    private readonly log: PredictionLogWriter,
    private readonly stats: ServingStatsRecorder,
    private readonly metrics: ApiMetrics,
    private readonly meter: UsageMeter,
    private readonly timeoutMs: number,
    private readonly explanations?: ExplanationsService,
  ) {}

  /** Whether this replica serves `versionId` now (quarantine after repeated timeouts or crashes). */
  servingStatus(versionId: string): ServingStatus {
    return this.backend.servingStatus?.(versionId) ?? { state: 'SERVING', recentFailures: 0 };
  }

  /** GraphQL `predict`: tensors by name (`inputs`) or tabular `records`. */
  async predict(auth: AuthInfo, args: PredictArgs): Promise<PredictionResult> {
    const hasInputs = args.inputs !== undefined && args.inputs !== null;
    const hasRecords = args.records !== undefined && args.records !== null;
    if (hasInputs === hasRecords)
      throw badInput('Pass exactly one of "inputs" (tensors by name) and "records" (tabular rows)');
    const explain = args.explain === true;
    if (explain && !hasRecords)
      throw badInput(
        'explain works on tabular "records" (feature values by name), not on "inputs" tensors',
        { field: 'explain' },
      );
    const explanations = this.explanations;
    if (explain && !explanations) throw badInput('explanations are not available here');
    let explanation: ExplanationResult | undefined;
    const { id, version, result, latencyMs } = await this.served(
      auth,
      args,
      async (v, run, more, deploymentId) => {
        let feeds: Record<string, DecodedTensor>;
        if (hasRecords) {
          const records = args.records ?? [];
          const { name, tensor } = recordsToTensor(v.signature, records);
          feeds = { [name]: tensor };
          if (explain && explanations) {
            // Bounds and reference data first: a refused explanation runs nothing.
            const plan: ExplanationPlan = await explanations.plan({
              workspaceId: auth.workspaceId,
              version: v,
              deploymentId,
              records,
              input: tensor.data as Float32Array,
              ...(args.explainMethod ? { method: args.explainMethod } : {}),
            });
            const tensors = await run(feeds, undefined, plan.evaluations);
            explanation = await plan.explain(tensors, (rows, count) =>
              more({
                [name]: { datatype: 'FP32', shape: [count, tensor.shape[1] ?? 0], data: rows },
              }),
            );
            const encoded: Record<string, NestedJson> = {};
            for (const [n, t] of Object.entries(tensors)) encoded[n] = encodeTensorOutput(t);
            return tabularOutputs(v.signature, encoded);
          }
        } else {
          if (typeof args.inputs !== 'object' || Array.isArray(args.inputs)) {
            throw badInput(
              '"inputs" must be an object of tensors by input name, e.g. {"input": [[1, 2]]}',
            );
          }
          feeds = decodeTensorInputs(v.signature.inputs, args.inputs as Record<string, unknown>);
        }
        const tensors = await run(feeds);
        const encoded: Record<string, NestedJson> = {};
        for (const [name, t] of Object.entries(tensors)) encoded[name] = encodeTensorOutput(t);
        return hasRecords ? tabularOutputs(v.signature, encoded) : encoded;
      },
      (outputs) => ({ inputs: hasRecords ? args.records : args.inputs, outputs }),
    );
    return {
      id,
      version,
      outputs: result,
      skippedOutputs: nonTensorOutputs(version.signature.outputs),
      latencyMs,
      ...(explanation ? { explanation } : {}),
    };
  }

  /** OIP infer on already-decoded tensors. */
  async infer(
    auth: AuthInfo,
    query: TargetQuery,
    decode: (version: ServedVersion) => Record<string, DecodedTensor>,
    outputs?: readonly string[],
  ): Promise<{ version: ServedVersion; tensors: Record<string, DecodedTensor> }> {
    const { version, result } = await this.served(auth, query, (v, run) => run(decode(v), outputs));
    return { version, tensors: result };
  }

  /**
   * Resolves the name, runs `work` on the version it picks, and does the bookkeeping every
   * prediction gets (engine errors as user errors, metrics, serving stats, the sampled log, usage).
   * `work` runs the engine through `run`, which first admits the batch under the workspace's daily
   * prediction quota: a refused request runs nothing and is counted nowhere but in the metrics.
   */
  private async served<T>(
    auth: AuthInfo,
    query: TargetQuery,
    work: (
      version: ServedVersion,
      run: Runner,
      more: MoreRunner,
      deploymentId: string | null,
    ) => Promise<T>,
    logged: (result: T | undefined) => { inputs: unknown; outputs: unknown } = () => ({
      inputs: undefined,
      outputs: undefined,
    }),
  ): Promise<{ id: string; version: ServedVersion; result: T; latencyMs: number }> {
    const target = await this.resolver.resolve(auth.workspaceId, query);
    const version = TargetResolver.pick(target);
    // Sampled before it runs: the id says whether it is logged (and so open to feedback).
    const sampled = this.log.sample(target.logSampleRate);
    const id = issuePredictionId(auth.workspaceId, sampled);
    let records: number | null = null;
    const started = performance.now();
    let result: T | undefined;
    let failure: unknown;
    let admission: PredictionAdmission | undefined;
    let refused = false;
    const key = { id: version.id, sha256: version.sha256 };
    const run: Runner = async (feeds, outputs, extraRows = 0) => {
      records = batchRows(feeds);
      try {
        admission = await this.meter.admitPredictions(auth, records + extraRows);
      } catch (err) {
        refused = true;
        throw err;
      }
      return this.backend.infer(key, feeds, {
        timeoutMs: this.timeoutMs,
        ...(outputs ? { outputs } : {}),
      });
    };
    // Through the same backend (and so the same isolation and quarantine) as the prediction.
    const more: MoreRunner = (feeds) => {
      if (!admission) throw new Error('more() before run(): nothing was admitted');
      return this.backend.infer(key, feeds, { timeoutMs: this.timeoutMs });
    };
    try {
      result = await work(version, run, more, target.deploymentId);
      return { id, version, result, latencyMs: performance.now() - started };
    } catch (err) {
      failure = toUserError(err);
      throw failure;
    } finally {
      admission?.settle(failure === undefined, {
        modelId: version.modelId,
        deploymentId: target.deploymentId,
      });
      if (refused) {
        // Over the daily quota: nothing ran, so no serving stats, log row or usage either.
        this.metrics.predictions.inc({
          workspace: this.metrics.workspaceLabel(auth.workspaceId),
          status: 'QUOTA_EXCEEDED',
        });
      } else {
        const { inputs, outputs } = logged(result);
        this.account(auth, target.deploymentId, version, performance.now() - started, failure, {
          id,
          sampled,
          inputs,
          outputs,
          records,
        });
      }
    }
  }

  private account(
    auth: AuthInfo,
    deploymentId: string | null,
    version: ServedVersion,
    latencyMs: number,
    failure: unknown,
    entry: {
      id: string;
      sampled: boolean;
      inputs: unknown;
      outputs: unknown;
      records: number | null;
    },
  ): void {
    const code =
      failure === undefined
        ? 'ok'
        : failure instanceof UserError
          ? failure.code
          : 'INTERNAL_SERVER_ERROR';
    this.metrics.predictions.inc({
      workspace: this.metrics.workspaceLabel(auth.workspaceId),
      status: code,
    });
    this.metrics.predictionLatency.observe({ version_id: version.id }, latencyMs / 1000);
    if (deploymentId)
      this.stats.record(
        auth.workspaceId,
        deploymentId,
        version.id,
        latencyMs,
        failure === undefined,
      );
    this.log.offer(
      {
        id: entry.id,
        workspaceId: auth.workspaceId,
        versionId: version.id,
        deploymentId,
        apiKeyId: auth.apiKeyId,
        status: code,
        latencyMs,
        inputs: failure === undefined ? entry.inputs : null,
        outputs: entry.outputs ?? null,
        error: failure instanceof Error ? failure.message.slice(0, 2000) : null,
        recordCount: entry.records,
      },
      entry.sampled,
    );
  }

  status(): InferenceStatus | Promise<InferenceStatus> {
    return this.backend.status();
  }
}
