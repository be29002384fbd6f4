import { describe, expect, it } from 'vitest';
import {
  buildHyperparameters,
  defaultFieldValues,
  parseField,
  type HyperparameterSpec,
} from './hyperparameters';

const spec = (overrides: Partial<HyperparameterSpec>): HyperparameterSpec => ({
  name: 'x',
  type: 'float',
  default: 0,
  description: '',
  min: null,
  max: null,
  values: null,
  ...overrides,
});

const specs = [
  spec({ name: 'epochs', type: 'int', default: 100, min: 1, max: 100000 }),
  spec({ name: 'learningRate', type: 'float', default: 0.01, min: 1e-8, max: 10 }),
  spec({ name: 'optimizer', type: 'string', default: 'adam', values: ['adam', 'sgd'] }),
  spec({ name: 'shuffle', type: 'boolean', default: true }),
  spec({ name: 'hiddenLayers', type: 'int[]', default: [32, 32], min: 1, max: 4096 }),
];

describe('hyperparameter fields', () => {
  it('start from the defaults, and send nothing when nothing changed', () => {
    const texts = defaultFieldValues(specs);
    expect(texts).toEqual({
      epochs: '100',
      learningRate: '0.01',
      optimizer: 'adam',
      shuffle: 'true',
      hiddenLayers: '32, 32',
    });
    expect(buildHyperparameters(specs, texts)).toEqual({ hyperparameters: {} });
  });

  it('send the changed values with their types', () => {
    const texts = {
      ...defaultFieldValues(specs),
      epochs: '20',
      optimizer: 'sgd',
      shuffle: 'false',
      hiddenLayers: '64,16',
    };
    expect(buildHyperparameters(specs, texts)).toEqual({
      hyperparameters: { epochs: 20, optimizer: 'sgd', shuffle: false, hiddenLayers: [64, 16] },
    });
  });

  it('name the field and the bound that a value breaks', () => {
    const texts = {
      ...defaultFieldValues(specs),
      epochs: '0',
      learningRate: 'fast',
      hiddenLayers: '32, -1',
    };
    const result = buildHyperparameters(specs, texts);
    expect(result).toEqual({
      errors: {
        epochs: 'epochs must be a whole number between 1 and 100000.',
        learningRate: 'learningRate must be a number between 1e-8 and 10.',
        hiddenLayers:
          'hiddenLayers: write whole numbers between 1 and 4096, separated by commas (e.g. 32, 32).',
      },
    });
  });

  it('refuse fractions for integers and unknown choices', () => {
    expect(parseField(specs[0] as HyperparameterSpec, '2.5')).toEqual({
      error: expect.stringContaining('whole number'),
    });
    expect(parseField(specs[2] as HyperparameterSpec, 'rmsprop')).toEqual({
      error: 'optimizer must be one of adam, sgd.',
    });
  });
});
