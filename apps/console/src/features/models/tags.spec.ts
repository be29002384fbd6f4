import { describe, expect, it } from 'vitest';
import { formatTags, parseTags, tagLabels } from './tags';

describe('parseTags', () => {
  it('reads key=value pairs', () => {
    expect(parseTags('team=risk, stage = beta,')).toEqual({
      tags: { team: 'risk', stage: 'beta' },
    });
  });
  it('reads a bare key as an empty value', () => {
    expect(parseTags('experimental')).toEqual({ tags: { experimental: '' } });
  });
  it('treats empty text as no tags', () => {
    expect(parseTags('   ')).toEqual({ tags: {} });
  });
  it('reads a JSON object', () => {
    expect(parseTags('{"owner": "ml", "tier": 1}')).toEqual({ tags: { owner: 'ml', tier: 1 } });
  });
  it('says what is wrong', () => {
    expect(parseTags('[1,2]')).toEqual({ error: expect.stringContaining('one object') });
    expect(parseTags('=x')).toEqual({ error: expect.stringContaining('no key') });
    expect(parseTags('a=1, a=2')).toEqual({ error: 'The tag "a" is given twice.' });
  });
});

describe('formatTags and tagLabels', () => {
  it('round-trips string tags', () => {
    const text = formatTags({ team: 'risk', experimental: '' });
    expect(text).toBe('team=risk, experimental');
    expect(parseTags(text)).toEqual({ tags: { team: 'risk', experimental: '' } });
  });
  it('falls back to JSON for other values', () => {
    expect(formatTags({ tier: 1 })).toBe('{"tier":1}');
  });
  it('labels tags for badges', () => {
    expect(tagLabels({ team: 'risk', beta: true, tier: 1 })).toEqual([
      'team: risk',
      'beta',
      'tier: 1',
    ]);
    expect(tagLabels(null)).toEqual([]);
  });
});
