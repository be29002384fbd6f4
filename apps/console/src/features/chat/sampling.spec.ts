import { describe, expect, it } from 'vitest';
import { defaultSampling, parseSampling, unescapeStop, type SamplingForm } from './sampling';

const form = (change: Partial<SamplingForm>): SamplingForm => ({ ...defaultSampling, ...change });

describe('sampling settings', () => {
  it('sends what is filled in, as numbers, and leaves empty fields to the API', () => {
    expect(parseSampling(form({}))).toEqual({
      ok: true,
      settings: { temperature: 0.7, topP: 1, topK: 0 },
    });
    expect(
      parseSampling({
        temperature: '0',
        topP: '0.9',
        topK: '40',
        maxTokens: ' 64 ',
        seed: '-7',
        stop: 'END\n\n\\n\\n',
      }),
    ).toEqual({
      ok: true,
      settings: {
        temperature: 0,
        topP: 0.9,
        topK: 40,
        maxTokens: 64,
        seed: -7,
        stop: ['END', '\n\n'],
      },
    });
    expect(
      parseSampling({ temperature: '', topP: '', topK: '', maxTokens: '', seed: '', stop: '' }),
    ).toEqual({ ok: true, settings: {} });
  });

  it.each([
    ['temperature', '2.5'],
    ['temperature', '-0.1'],
    ['temperature', 'hot'],
    ['topP', '0'],
    ['topP', '1.01'],
    ['topK', '1.5'],
    ['topK', '-1'],
    ['maxTokens', '0'],
    ['maxTokens', '3.5'],
    ['seed', '1e12'],
    ['seed', '0.5'],
  ] as const)('names %s when it is %s', (field, value) => {
    const parsed = parseSampling(form({ [field]: value }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.field).toBe(field);
  });

  it('holds stop sequences to 4 of at most 200 characters', () => {
    expect(parseSampling(form({ stop: 'a\nb\nc\nd' })).ok).toBe(true);
    expect(parseSampling(form({ stop: 'a\nb\nc\nd\ne' }))).toMatchObject({
      ok: false,
      field: 'stop',
    });
    expect(parseSampling(form({ stop: 'x'.repeat(201) }))).toMatchObject({
      ok: false,
      field: 'stop',
    });
  });

  it('unescapes \\n, \\t and \\\\ and nothing else', () => {
    expect(unescapeStop('a\\nb\\tc\\\\n\\x')).toBe('a\nb\tc\\n\\x');
  });
});
