import { describe, expect, it } from 'vitest';
import {
  buildRecords,
  categoriesOf,
  inputsTemplate,
  parseInputs,
  readPredictions,
  tensorTemplate,
} from './predict-input';

describe('tensor templates', () => {
  it('fills the shape with zeros, one row for a dynamic dimension', () => {
    expect(tensorTemplate({ name: 'x', datatype: 'FP32', shape: [-1, 3] })).toEqual([[0, 0, 0]]);
    expect(tensorTemplate({ name: 'b', datatype: 'BOOL', shape: [2] })).toEqual([false, false]);
    expect(tensorTemplate({ name: 's', datatype: 'FP32', shape: [] })).toBe(0);
  });
  it('writes every input as pretty JSON that parses back', () => {
    const text = inputsTemplate([
      { name: 'a', datatype: 'INT64', shape: [-1, 2] },
      { name: 'b', datatype: 'BYTES', shape: [-1] },
    ]);
    expect(parseInputs(text)).toEqual({ inputs: { a: [[0, 0]], b: [''] } });
  });
  it('explains JSON it cannot use', () => {
    expect(parseInputs('[1]')).toEqual({ error: expect.stringContaining('one JSON object') });
    expect(parseInputs('{')).toEqual({ error: expect.stringContaining('Not valid JSON') });
  });
});

describe('records', () => {
  const categories = categoriesOf({ city: ['paris', 'rome'], junk: 3 });
  it('reads categories from the signature', () => {
    expect(categories).toEqual({ city: ['paris', 'rome'] });
  });
  it('types each feature', () => {
    expect(buildRecords(['x', 'city'], categories, [{ x: '0.5', city: 'rome' }])).toEqual({
      records: [{ x: 0.5, city: 'rome' }],
    });
  });
  it('names the feature and record at fault', () => {
    expect(buildRecords(['x'], {}, [{ x: '1' }, { x: 'abc' }])).toEqual({
      error: 'x (record 2) must be a number.',
    });
    expect(buildRecords(['city'], categories, [{ city: '' }])).toEqual({
      error: 'Choose a value for city.',
    });
  });
});

describe('readPredictions', () => {
  it('reads predictions and class probabilities', () => {
    expect(
      readPredictions({
        prediction: [[1]],
        predictions: ['yes'],
        probabilities: [{ no: 0.2, yes: 0.8 }],
      }),
    ).toEqual({ predictions: ['yes'], probabilities: [{ no: 0.2, yes: 0.8 }] });
  });
  it('gives nulls for raw tensor models', () => {
    expect(readPredictions({ y: [[1, 2]] })).toEqual({ predictions: null, probabilities: null });
  });
});
