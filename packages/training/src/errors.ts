/** A CSV file or columnar buffer that cannot become a dataset. The message names the line or column. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    message: string,
    /**
     * 'TOO_LARGE' when the input exceeded `maxBytes` (HTTP 413), 'LIMIT' when it went over another
     * of the CSV limits (named by `limit`), else 'INVALID' (HTTP 400).
     */
    readonly code: 'INVALID' | 'TOO_LARGE' | 'LIMIT' = 'INVALID',
    /** 1-based line of the CSV input the problem was found on, when there is one. */
    readonly line?: number,
    /** Column the problem concerns, when there is one. */
    readonly column?: string,
    /** With code 'LIMIT': which limit of `CsvLimits` (e.g. 'maxColumns'). */
    readonly limit?: string,
  ) {
    super(message);
  }
}

/** An unknown, ill-typed or out-of-range hyperparameter. */
export class HyperparameterError extends Error {
  override readonly name = 'HyperparameterError';
  constructor(
    message: string,
    /** The offending hyperparameter, when one is to blame. */
    readonly key?: string,
  ) {
    super(message);
  }
}

/** Training cannot start or continue: bad target or features, diverged loss, incompatible checkpoint. */
export class TrainingError extends Error {
  override readonly name: string = 'TrainingError';
}

/**
 * A model update (warm start) that cannot continue from its parent: another algorithm, target,
 * feature list, shape or task. `field` is the job input to change (`key`: the hyperparameter).
 */
export class WarmStartError extends TrainingError {
  override readonly name: string = 'WarmStartError';
  constructor(
    message: string,
    readonly field: 'algorithm' | 'target' | 'features' | 'hyperparameters' | 'dataset',
    readonly key?: string,
  ) {
    super(message);
  }
}
