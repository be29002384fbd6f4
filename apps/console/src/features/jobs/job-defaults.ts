// Sensible starting choices for the "New training job" form.
import type { Algorithm, ModelTask } from '@/gql/graphql';

/** The algorithm that fits a model's task best. */
export function defaultAlgorithm(task: ModelTask | undefined): Algorithm {
  switch (task) {
    case 'BINARY_CLASSIFICATION':
      return 'LOGISTIC_REGRESSION';
    case 'MULTICLASS_CLASSIFICATION':
      return 'SOFTMAX_REGRESSION';
    default:
      return 'LINEAR_REGRESSION';
  }
}

/** The target a dataset most likely predicts: a column named like one, else the last column. */
export function defaultTarget(columns: readonly { name: string }[]): string {
  const named = columns.find((c) => /^(y|target|label|class)$/i.test(c.name));
  return named?.name ?? columns[columns.length - 1]?.name ?? '';
}

/**
 * As the schema says (StartTrainingJobInput.features, docs/api.md "Training"): every other
 * numeric column (booleans count as numbers).
 */
export function defaultFeatures(
  columns: readonly { name: string; type: string }[],
  target: string,
): string[] {
  return columns
    .filter((c) => c.name !== target && (c.type === 'numeric' || c.type === 'boolean'))
    .map((c) => c.name);
}
