import { describe, expect, it } from 'vitest';
import { resolveHyperparameters, trainingRows, type ModelSpec } from '../src';
import { prepareTraining } from '../src/training/prepare';
import { categorical, dataset, numeric, uniform } from './fixtures';

// 200 rows, some with a missing feature or target (left out of training), split 25 % validation.
const random = uniform(5);
const x = Array.from({ length: 200 }, (_, i) => (i % 17 === 0 ? Number.NaN : random() * 10));
const y = Array.from({ length: 200 }, (_, i) => (i % 23 === 0 ? Number.NaN : 2 * (x[i] ?? 0)));
const colour = Array.from({ length: 200 }, (_, i) => (i % 29 === 0 ? -1 : i % 3));
const data = dataset(
  numeric('x', x),
  categorical('colour', ['r', 'g', 'b'], colour),
  numeric('y', y),
);

describe('trainingRows', () => {
  it("finds again the rows training fitted on: the features' offsets are their means there", () => {
    const hp = resolveHyperparameters('LINEAR_REGRESSION', { validationSplit: 0.25, seed: 11 });
    const prepared = prepareTraining({
      algorithm: 'LINEAR_REGRESSION',
      dataset: data,
      target: 'y',
      features: ['x', 'colour'],
      hyperparameters: hp,
    });
    const spec: ModelSpec = prepared.spec;
    const { input, trainIndex } = trainingRows(spec, data, hp);
    expect(trainIndex.length).toBe(prepared.trainRows);
    let sum = 0;
    for (const r of trainIndex) sum += input[r * 2] as number;
    expect(spec.features[0]?.offset).toBe(Math.fround(sum / trainIndex.length));
    // Another seed splits differently, so the oracle above is not met by chance.
    const other = trainingRows(spec, data, { ...hp, seed: 12 }).trainIndex;
    expect(Array.from(other)).not.toEqual(Array.from(trainIndex));
    // Incomplete rows are never among them.
    for (const r of trainIndex) {
      expect(Number.isNaN(x[r] as number) || Number.isNaN(y[r] as number)).toBe(false);
      expect(colour[r]).not.toBe(-1);
    }
  });
});
