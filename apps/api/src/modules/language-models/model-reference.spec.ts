import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors';
import { parseModelReference } from '../predictions/target-resolver';
import { checkGeneration, MAX_STOP_SEQUENCES } from './generation-limits';

const limits = { maxTokens: 100, maxMessages: 3, maxEmbeddingInputs: 2 };

const paramOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).details.param;
  }
  throw new Error('expected a refusal');
};

describe('parseModelReference', () => {
  it('reads a name, name@alias and name@version', () => {
    expect(parseModelReference('my-llm')).toEqual({ name: 'my-llm' });
    expect(parseModelReference('my-llm@production')).toEqual({
      name: 'my-llm',
      alias: 'production',
    });
    expect(parseModelReference('my-llm@12')).toEqual({ name: 'my-llm', version: 12 });
  });

  it('refuses what is none of those', () => {
    for (const bad of ['', '@x', 'a@', 'a@b@c', 'a@0', 'x'.repeat(201)])
      expect(
        paramOf(() => parseModelReference(bad)),
        bad,
      ).toBe('model');
  });
});

describe('checkGeneration', () => {
  it('fits an unset max to the context and keeps an explicit one', () => {
    expect(checkGeneration({ prompt: 'x' }, limits, 16)).toEqual({
      prompt: 'x',
      maxTokens: 16,
      fitToContext: true,
    });
    expect(checkGeneration({ prompt: 'x', maxTokens: 100, topK: 0 }, limits, 16)).toEqual({
      prompt: 'x',
      maxTokens: 100,
      fitToContext: false,
    });
  });

  it('names the parameter it refuses', () => {
    const m = [{ role: 'user', content: 'hi' }];
    expect(paramOf(() => checkGeneration({}, limits, 16))).toBe('messages');
    expect(paramOf(() => checkGeneration({ prompt: 'x', messages: m }, limits, 16))).toBe(
      'messages',
    );
    expect(paramOf(() => checkGeneration({ messages: [...m, ...m, ...m, ...m] }, limits, 16))).toBe(
      'messages',
    );
    expect(paramOf(() => checkGeneration({ prompt: 'x', maxTokens: 101 }, limits, 16))).toBe(
      'maxTokens',
    );
    expect(paramOf(() => checkGeneration({ prompt: 'x', temperature: -1 }, limits, 16))).toBe(
      'temperature',
    );
    expect(paramOf(() => checkGeneration({ prompt: 'x', topP: 1.5 }, limits, 16))).toBe('topP');
    expect(paramOf(() => checkGeneration({ prompt: 'x', seed: 0.5 }, limits, 16))).toBe('seed');
    const stops = Array.from({ length: MAX_STOP_SEQUENCES + 1 }, (_, i) => String(i));
    expect(paramOf(() => checkGeneration({ prompt: 'x', stop: stops }, limits, 16))).toBe('stop');
    expect(
      paramOf(() => checkGeneration({ messages: [{ role: 'tool', content: '' }] }, limits, 16)),
    ).toBe('messages[0].role');
  });
});
