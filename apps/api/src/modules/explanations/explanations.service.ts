import type { DecodedTensor } from '@maas/inference';
import { TrainingError, modelSpecFromMetadata, type ModelSpec } from '@maas/training';
import { badInput } from '../../common/errors';
import type { ServedVersion } from '../predictions/target-resolver';
import { explainLinear, type RecordAttribution } from './exact-linear';
import {
  BACKGROUND_ROWS,
  EXPLAIN_MAX_EVALUATIONS,
  EXPLAIN_MAX_RECORDS,
  EXPLAIN_MAX_VALUES,
} from './explanation-limits';
import type { ReferenceData, VersionReference } from './reference-data';
import { samplingShapley, shapleyEvaluations, type OutputReader } from './sampling-shapley';

export type ExplanationMethod = 'exact-linear' | 'sampling-shapley';

/** `predict`'s explanation, as GraphQL returns it (Explanation, RecordExplanation). */
export interface ExplanationResult {
  method: ExplanationMethod;
  /** What the contributions add up to (minus the baseline), e.g. "prediction" or a log-odds. */
  output: string;
  records: {
    baseline: number;
    contributions: { feature: string; value: unknown; contribution: number }[];
  }[];
}

/** Runs the served version on `count` model-input rows (`count × features` values). */
export type ModelEvaluator = (
  rows: Float32Array,
  count: number,
) => Promise<Record<string, DecodedTensor>>;

/** An explanation that was checked against the bounds and has its reference data. */
export interface ExplanationPlan {
  method: ExplanationMethod;
  /** Model rows the explanation will run besides the prediction itself (counted in usage). */
  evaluations: number;
  /** Explains the records from the prediction's own outputs (`served`), running `evaluate` as needed. */
  explain(
    served: Record<string, DecodedTensor>,
    evaluate: ModelEvaluator,
  ): Promise<ExplanationResult>;
}

export interface ExplainRequest {
  workspaceId: string;
  version: ServedVersion;
  /** The deployment serving the request (its reference dataset stands in for training data), if any. */
  deploymentId?: string | null;
  /** The request's records, for the values shown beside each contribution. */
  records: readonly unknown[];
  /** The records as the model's input tensor (`records × features`). */
  input: Float32Array;
  /** Forces a method where the model allows it (tests compare sampling with exact-linear). */
  method?: ExplanationMethod;
}

const valueAt = (t: DecodedTensor, i: number): number => Number(t.data[i]);

function rowWidth(t: DecodedTensor): number {
  return t.shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * Explanations of tabular predictions (docs/api.md, "Explanations"): exact for the one-layer
 * models maas trains, sampled Shapley values against a background sample of the training data
 * for every other tabular model. Bounds are checked before anything loads or runs.
 */
export class ExplanationsService {
  constructor(private readonly reference: ReferenceData) {}

  async plan(request: ExplainRequest): Promise<ExplanationPlan> {
    const { version, records } = request;
    const features = version.signature.features ?? [];
    if (features.length === 0)
      throw badInput(
        'explain works on tabular models (a signature that lists features): this model takes tensors',
        { field: 'explain' },
      );
    if (records.length > EXPLAIN_MAX_RECORDS)
      throw badInput(
        `explain takes at most ${EXPLAIN_MAX_RECORDS} records per request; this one has ${records.length}: split it, or leave explain off`,
        { field: 'explain', limit: EXPLAIN_MAX_RECORDS },
      );
    let spec: ModelSpec | null = null;
    try {
      spec = modelSpecFromMetadata(version.signature.metadata);
    } catch (err) {
      if (!(err instanceof TrainingError)) throw err;
    }
    const linear = spec !== null && spec.hiddenLayers.length === 0;
    const method: ExplanationMethod =
      linear && request.method !== 'sampling-shapley' ? 'exact-linear' : 'sampling-shapley';
    if (method === 'sampling-shapley') {
      const outputs = version.signature.outputs.map((o) => o.name);
      if (
        !outputs.includes('probabilities') &&
        !outputs.includes('prediction') &&
        outputs.length !== 1
      )
        throw badInput(
          `explain needs a model with one output value per record ("prediction", or its only output) or a "probabilities" output; this one has ${outputs.join(', ')}`,
          { field: 'explain' },
        );
      const most = shapleyEvaluations(records.length, features.length, BACKGROUND_ROWS);
      if (most > EXPLAIN_MAX_EVALUATIONS || most * features.length > EXPLAIN_MAX_VALUES)
        throw badInput(
          `explaining ${records.length} records of ${features.length} features takes up to ${most} model evaluations; at most ${EXPLAIN_MAX_EVALUATIONS} (and ${EXPLAIN_MAX_VALUES} input values) per request: send fewer records`,
          { field: 'explain', limit: EXPLAIN_MAX_EVALUATIONS },
        );
    }
    const reference = await this.reference.backgroundRows(
      request.workspaceId,
      version,
      request.deploymentId ?? null,
    );
    if (method === 'exact-linear' && reference.linear) {
      const { state, designMean } = reference.linear;
      return {
        method,
        evaluations: 0,
        explain: (served) =>
          Promise.resolve(
            this.result(request, method, linearOutput(state.head, state.labels), () =>
              explainLinear(state, designMean, request.input, records.length, (r) =>
                state.head === 'softmax' && served.prediction
                  ? Math.round(valueAt(served.prediction, r))
                  : 0,
              ),
            ),
          ),
      };
    }
    return this.sampled(request, reference);
  }

  private sampled(request: ExplainRequest, reference: VersionReference): ExplanationPlan {
    const R = request.records.length;
    const F = request.version.signature.features?.length ?? 0;
    return {
      method: 'sampling-shapley',
      evaluations: shapleyEvaluations(R, F, reference.backgroundCount),
      explain: async (served, evaluate) => {
        const output = explainedOutput(served, R);
        const attributions = await samplingShapley({
          records: request.input,
          recordCount: R,
          features: F,
          background: reference.background,
          backgroundCount: reference.backgroundCount,
          served: Array.from({ length: R }, (_, r) => output.read(served, r, r)),
          seed: 0,
          evaluate: async (rows, count): Promise<OutputReader> => {
            const tensors = await evaluate(rows, count);
            return (row, record) => output.read(tensors, row, record);
          },
        });
        return this.result(request, 'sampling-shapley', output.name, () => attributions);
      },
    };
  }

  private result(
    request: ExplainRequest,
    method: ExplanationMethod,
    output: string,
    attribute: () => RecordAttribution[],
  ): ExplanationResult {
    const features = request.version.signature.features ?? [];
    return {
      method,
      output,
      records: attribute().map(({ baseline, contributions }, r) => {
        const record = (request.records[r] ?? {}) as Record<string, unknown>;
        return {
          baseline,
          contributions: features.map((feature, f) => ({
            feature,
            value: record[feature] ?? null,
            contribution: contributions[f] ?? 0,
          })),
        };
      }),
    };
  }
}

function linearOutput(head: string, labels: readonly string[] | null): string {
  if (head === 'identity') return 'prediction';
  if (head === 'sigmoid') return `log-odds of "${labels?.[1] ?? '1'}"`;
  return 'logit of the predicted class';
}

/**
 * The output sampled Shapley values explain: a classifier's probability of the class it predicted
 * for the record (its `probabilities` output), else the model's one value per record (`prediction`,
 * or its only output).
 */
function explainedOutput(
  served: Record<string, DecodedTensor>,
  records: number,
): {
  name: string;
  read: (tensors: Record<string, DecodedTensor>, row: number, record: number) => number;
} {
  const probabilities = served.probabilities;
  if (probabilities && probabilities.shape.length === 2) {
    const C = rowWidth(probabilities);
    const predicted = Array.from({ length: records }, (_, r) => {
      let best = 0;
      for (let c = 1; c < C; c++)
        if (valueAt(probabilities, r * C + c) > valueAt(probabilities, r * C + best)) best = c;
      return best;
    });
    return {
      name: 'probability of the predicted class',
      read: (tensors, row, record) => {
        const t = tensors.probabilities;
        return t ? valueAt(t, row * C + (predicted[record] ?? 0)) : Number.NaN;
      },
    };
  }
  const names = Object.keys(served);
  const name = served.prediction ? 'prediction' : names.length === 1 ? names[0] : undefined;
  const tensor = name ? served[name] : undefined;
  if (!name || !tensor || rowWidth(tensor) !== 1 || tensor.datatype === 'BYTES')
    throw badInput(
      'explain needs a model with one numeric output value per record (or a "probabilities" output)',
      { field: 'explain' },
    );
  return {
    name: 'prediction',
    read: (tensors, row) => {
      const t = tensors[name];
      return t ? valueAt(t, row) : Number.NaN;
    },
  };
}
