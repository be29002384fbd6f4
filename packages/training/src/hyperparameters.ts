import { HyperparameterError } from './errors';

/** The training algorithms (the GraphQL `Algorithm` enum). */
export const ALGORITHM_NAMES = [
  'LINEAR_REGRESSION',
  'LOGISTIC_REGRESSION',
  'SOFTMAX_REGRESSION',
  'MLP',
] as const;
export type Algorithm = (typeof ALGORITHM_NAMES)[number];

/** What a trained model does (the GraphQL `ModelTask` enum, without OTHER). */
export type ModelTask = 'REGRESSION' | 'BINARY_CLASSIFICATION' | 'MULTICLASS_CLASSIFICATION';

/** The value types a hyperparameter can have. `string` ones list their `values`; `int[]` bounds apply to each element. */
export type HyperparameterType = 'int' | 'float' | 'boolean' | 'string' | 'int[]';
export type HyperparameterValue = number | boolean | string | number[];

/** One documented hyperparameter: the GraphQL `HyperparameterInfo` (plus `values` and `maxLength`). */
export interface HyperparameterInfo {
  name: string;
  type: HyperparameterType;
  default: HyperparameterValue;
  description: string;
  /** Inclusive lower bound (numbers, or each element of an `int[]`); null when unbounded or not numeric. */
  min: number | null;
  /** Inclusive upper bound; null when unbounded or not numeric. */
  max: number | null;
  /** Allowed values of a `string` hyperparameter. */
  values?: string[];
  /** Largest number of elements of an `int[]` hyperparameter (at least one is required). */
  maxLength?: number;
}

/** One algorithm as the API's `algorithms` query lists it. */
export interface AlgorithmInfo {
  algorithm: Algorithm;
  tasks: ModelTask[];
  description: string;
  hyperparameters: HyperparameterInfo[];
}

/** Resolved hyperparameters: every key of the algorithm, defaults filled in. MLP-only keys are absent for other algorithms. */
export interface Hyperparameters {
  epochs: number;
  learningRate: number;
  learningRateSchedule: 'cosine' | 'constant';
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  momentum: number;
  beta1: number;
  beta2: number;
  l2: number;
  validationSplit: number;
  earlyStoppingPatience: number;
  seed: number;
  shuffle: boolean;
  standardize: boolean;
  hiddenLayers?: number[];
  task?: 'auto' | 'regression' | 'classification';
}

const COMMON: HyperparameterInfo[] = [
  {
    name: 'epochs',
    type: 'int',
    default: 100,
    min: 1,
    max: 100_000,
    description: 'Passes over the training rows.',
  },
  {
    name: 'learningRate',
    type: 'float',
    default: 0.01,
    min: 1e-8,
    max: 10,
    description: 'Step size of the optimizer.',
  },
  {
    name: 'batchSize',
    type: 'int',
    default: 32,
    min: 1,
    max: 100_000_000,
    description:
      'Rows per gradient step; a value at least the number of training rows is full-batch gradient descent.',
  },
  {
    name: 'learningRateSchedule',
    type: 'string',
    default: 'cosine',
    values: ['cosine', 'constant'],
    min: null,
    max: null,
    description:
      "'cosine' lowers the learning rate along a half cosine from learningRate at the first epoch towards 0 at the last; 'constant' keeps it.",
  },
  {
    name: 'optimizer',
    type: 'string',
    default: 'adam',
    values: ['adam', 'sgd'],
    min: null,
    max: null,
    description: "'adam' (Adam) or 'sgd' (stochastic gradient descent, with optional momentum).",
  },
  {
    name: 'momentum',
    type: 'float',
    default: 0,
    min: 0,
    max: 0.999,
    description: "Momentum of 'sgd' (ignored by 'adam').",
  },
  {
    name: 'beta1',
    type: 'float',
    default: 0.9,
    min: 0,
    max: 0.999999,
    description: "Adam's decay rate of the first moment (ignored by 'sgd').",
  },
  {
    name: 'beta2',
    type: 'float',
    default: 0.999,
    min: 0,
    max: 0.999999,
    description: "Adam's decay rate of the second moment (ignored by 'sgd').",
  },
  {
    name: 'l2',
    type: 'float',
    default: 0,
    min: 0,
    max: 100,
    description:
      'L2 penalty (l2/2)·‖W‖² on the weights (not the biases), added to the mean batch loss.',
  },
  {
    name: 'validationSplit',
    type: 'float',
    default: 0.2,
    min: 0,
    max: 0.9,
    description:
      'Share of the rows held out (after a seeded shuffle) to measure validation loss and metrics; 0 uses every row for training.',
  },
  {
    name: 'earlyStoppingPatience',
    type: 'int',
    default: 0,
    min: 0,
    max: 100_000,
    description:
      'Stop after this many epochs without a lower validation loss (training loss without a validation split) and export the best weights; 0 (the default) trains every epoch and exports the last weights.',
  },
  {
    name: 'seed',
    type: 'int',
    default: 42,
    min: 0,
    max: 4_294_967_295,
    description:
      'Seed of the split, the initial weights and the shuffles: the same seed gives the same model, bit for bit.',
  },
  {
    name: 'shuffle',
    type: 'boolean',
    default: true,
    min: null,
    max: null,
    description: 'Shuffle the training rows before each epoch.',
  },
  {
    name: 'standardize',
    type: 'boolean',
    default: true,
    min: null,
    max: null,
    description:
      'Scale numeric features (and a regression target) to mean 0 and standard deviation 1, computed on the training split; the exported model takes raw values.',
  },
];

const MLP_ONLY: HyperparameterInfo[] = [
  {
    name: 'hiddenLayers',
    type: 'int[]',
    default: [32, 32],
    min: 1,
    max: 4096,
    maxLength: 16,
    description: 'Units of each hidden layer (ReLU), input side first.',
  },
  {
    name: 'task',
    type: 'string',
    default: 'auto',
    values: ['auto', 'regression', 'classification'],
    min: null,
    max: null,
    description:
      "'auto': classification for a categorical or boolean target, regression for a numeric one.",
  },
];

/** Every algorithm with its hyperparameters: what the `algorithms` query returns and what {@link resolveHyperparameters} checks. */
export const ALGORITHMS: readonly AlgorithmInfo[] = [
  {
    algorithm: 'LINEAR_REGRESSION',
    tasks: ['REGRESSION'],
    description: 'Least-squares linear regression trained by gradient descent.',
    hyperparameters: COMMON,
  },
  {
    algorithm: 'LOGISTIC_REGRESSION',
    tasks: ['BINARY_CLASSIFICATION'],
    description:
      'Binary logistic regression (sigmoid, cross-entropy); the target needs exactly two classes.',
    hyperparameters: COMMON,
  },
  {
    algorithm: 'SOFTMAX_REGRESSION',
    tasks: ['BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION'],
    description:
      'Multinomial logistic regression (softmax, cross-entropy) for two or more classes.',
    hyperparameters: COMMON,
  },
  {
    algorithm: 'MLP',
    tasks: ['REGRESSION', 'BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION'],
    description:
      'Multi-layer perceptron with ReLU hidden layers: squared error for regression, softmax cross-entropy for classification.',
    hyperparameters: [
      ...COMMON.map((h) => (h.name === 'epochs' ? { ...h, default: 200 } : h)),
      ...MLP_ONLY,
    ],
  },
];

/** The documented algorithm, or a HyperparameterError listing the known ones. */
export function algorithmInfo(algorithm: string): AlgorithmInfo {
  const info = ALGORITHMS.find((a) => a.algorithm === algorithm);
  if (!info)
    throw new HyperparameterError(
      `unknown algorithm '${algorithm}': expected one of ${ALGORITHM_NAMES.join(', ')}`,
      'algorithm',
    );
  return info;
}

/**
 * Checks hyperparameters against the algorithm's definitions and fills in defaults. Throws
 * {@link HyperparameterError} naming the key and the allowed values for an unknown key, a wrong
 * type or a value out of bounds. `input` may be undefined or null (all defaults).
 */
export function resolveHyperparameters(algorithm: string, input: unknown): Hyperparameters {
  const info = algorithmInfo(algorithm);
  if (
    input !== undefined &&
    input !== null &&
    (typeof input !== 'object' || Array.isArray(input))
  ) {
    throw new HyperparameterError(
      'hyperparameters must be a JSON object such as {"epochs": 100, "learningRate": 0.01}',
    );
  }
  const given = (input ?? {}) as Record<string, unknown>;
  const known = new Map(info.hyperparameters.map((h) => [h.name, h]));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      throw new HyperparameterError(
        `unknown hyperparameter '${key}' for ${info.algorithm}; known: ${[...known.keys()].join(', ')}`,
        key,
      );
    }
  }
  const resolved: Record<string, HyperparameterValue> = {};
  for (const definition of info.hyperparameters) {
    const value = given[definition.name];
    resolved[definition.name] =
      value === undefined || value === null
        ? copy(definition.default)
        : checkValue(definition, value);
  }
  const layers = resolved.hiddenLayers;
  if (Array.isArray(layers)) {
    let weights = 0;
    for (let i = 1; i < layers.length; i++)
      weights += (layers[i - 1] as number) * (layers[i] as number);
    if (weights > MAX_HIDDEN_WEIGHTS) {
      throw new HyperparameterError(
        `hiddenLayers ${JSON.stringify(layers)} need ${weights} weights between hidden layers; at most ${MAX_HIDDEN_WEIGHTS} fit a training worker's memory: use fewer or narrower layers`,
        'hiddenLayers',
      );
    }
  }
  return resolved as unknown as Hyperparameters;
}

/**
 * Most weights between an MLP's hidden layers (Σ hᵢ·hᵢ₊₁). With Adam each weight costs four
 * float64 values (weight, gradient, two moments): 2^24 weights are 512 MiB, which a worker holds.
 * The input and output layers are checked with the dataset, by the trainer (`MAX_PARAMETERS`).
 */
export const MAX_HIDDEN_WEIGHTS = 2 ** 24;

function copy(value: HyperparameterValue): HyperparameterValue {
  return Array.isArray(value) ? [...value] : value;
}

function describe(definition: HyperparameterInfo): string {
  const range = `from ${definition.min} to ${definition.max}`;
  switch (definition.type) {
    case 'int':
      return `an integer ${range}`;
    case 'float':
      return `a number ${range}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return `one of ${(definition.values ?? []).map((v) => `'${v}'`).join(', ')}`;
    case 'int[]':
      return `a list of 1 to ${definition.maxLength} integers, each ${range}`;
  }
}

function checkValue(definition: HyperparameterInfo, value: unknown): HyperparameterValue {
  const fail = (): never => {
    throw new HyperparameterError(
      `hyperparameter '${definition.name}' must be ${describe(definition)}, got ${JSON.stringify(value)}`,
      definition.name,
    );
  };
  const inRange = (n: unknown, integer: boolean): number => {
    if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
      return fail();
    if (
      (definition.min !== null && n < definition.min) ||
      (definition.max !== null && n > definition.max)
    )
      return fail();
    return n;
  };
  switch (definition.type) {
    case 'int':
      return inRange(value, true);
    case 'float':
      return inRange(value, false);
    case 'boolean':
      return typeof value === 'boolean' ? value : fail();
    case 'string':
      return typeof value === 'string' && (definition.values ?? []).includes(value)
        ? value
        : fail();
    case 'int[]':
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        value.length > (definition.maxLength ?? Infinity)
      )
        return fail();
      return value.map((v) => inRange(v, true));
  }
}
