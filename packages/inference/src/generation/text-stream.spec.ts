import { gpt2TokenizerJson } from '@maas/testing';
import { SeededRandom } from './sampling';
import { TextStream } from './text-stream';
import { TextTokenizer } from './text-tokenizer';

// Each id is one byte, decoded as UTF-8: a byte-level BPE with single-byte tokens.
const bytes = (ids: readonly number[]) => new TextDecoder().decode(Uint8Array.from(ids));
const ids = (text: string) => [...new TextEncoder().encode(text)];

function run(text: string, stop: string[] = []) {
  const stream = new TextStream(bytes, stop);
  const deltas: string[] = [];
  let stopped = false;
  for (const id of ids(text)) {
    const step = stream.push(id);
    deltas.push(step.delta);
    if (step.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) deltas.push(stream.finish());
  return { deltas, stopped, value: stream.value };
}

describe('TextStream', () => {
  it('emits a multi-byte character whole, once its last byte came', () => {
    const { deltas, value } = run('a€b');
    expect(deltas).toEqual(['a', '', '', '€', 'b', '']);
    expect(value).toBe('a€b');
  });

  it('holds back a possible stop string and ends before a real one', () => {
    const { deltas, stopped, value } = run('xyab c', ['abc', 'b c']);
    expect(stopped).toBe(true);
    expect(value).toBe('xya');
    expect(deltas.join('')).toBe('xya');
    // 'a' and 'ab' could start 'abc': held until ' ' ruled it out, then 'b c' matched.
    expect(deltas.slice(0, 2)).toEqual(['x', 'y']);
  });

  it('lets held-back text go when the generation ends', () => {
    const { deltas, stopped, value } = run('hello ab', ['abc']);
    expect(stopped).toBe(false);
    expect(value).toBe('hello ab');
    expect(deltas.join('')).toBe('hello ab');
    expect(deltas.at(-1)).toBe('ab');
  });

  it('finds a stop string completed by a multi-byte character', () => {
    const { stopped, value } = run('price: 5€ total', ['5€']);
    expect(stopped).toBe(true);
    expect(value).toBe('price: ');
  });

  it('keeps an EOS token out of the text', () => {
    const stream = new TextStream(bytes, []);
    expect(stream.push(104).delta).toBe('h');
    expect(stream.push(0, false)).toEqual({ delta: '', stopped: false });
    expect(stream.finish()).toBe('');
    expect(stream.value).toBe('h');
    expect(stream.tokenIds).toEqual([104, 0]);
  });
});

describe('TextStream with the GPT-2 tokenizer (byte-level BPE)', () => {
  const tokenizer = new TextTokenizer({ tokenizer: gpt2TokenizerJson(), tokenizerConfig: {} });
  const decode = (list: readonly number[]) => tokenizer.decode(list);

  /** Streams `tokens` one at a time; the deltas, whether a stop string ended it, the final text. */
  function stream(tokens: readonly number[], stop: string[] = [], detokenize = decode) {
    const s = new TextStream(detokenize, stop);
    const deltas: string[] = [];
    for (const id of tokens) {
      const step = s.push(id);
      deltas.push(step.delta);
      if (step.stopped) return { deltas, stopped: true, value: s.value };
    }
    deltas.push(s.finish());
    return { deltas, stopped: false, value: s.value };
  }

  /** Token ids of `text` with at least one token that is part of a character only (decodes to U+FFFD alone). */
  function splitting(text: string): number[] {
    const tokens = tokenizer.encode(text, false);
    expect(tokens.some((t) => decode([t]).includes('\ufffd'))).toBe(true);
    return tokens;
  }

  it.each([
    ['emoji', 'I love 🍕 and 🎉, 👩‍👩‍👧 too!'],
    ['CJK', '日本語のテキストと中文字符。'],
    ['mixed', 'naïve café — 東京 🚀 Ωmega'],
  ])('emits %s split across tokens whole, adding up to the full decode', (_name, text) => {
    const tokens = splitting(text);
    const { deltas, value } = stream(tokens);
    expect(value).toBe(decode(tokens));
    expect(value).toBe(text);
    expect(deltas.join('')).toBe(value);
    for (const d of deltas) expect(d).not.toContain('\ufffd');
  });

  it('ends before a stop string that spans tokens (and a multi-byte character)', () => {
    const text = 'The pizza 🍕 and the cake 日本語 were good';
    const tokens = splitting(text);
    for (const stop of ['🍕 and', 'cake 日本', ' were g']) {
      // The stop string is no single token's text: it is found across tokens.
      expect(tokens.every((t) => !decode([t]).includes(stop))).toBe(true);
      const { deltas, stopped, value } = stream(tokens, [stop]);
      expect(stopped).toBe(true);
      expect(value).toBe(text.slice(0, text.indexOf(stop)));
      expect(deltas.join('')).toBe(value);
    }
  });

  it('holds back a stop string prefix across tokens and lets it go when it does not match', () => {
    const text = 'one 🍕 two 🍕 three';
    const tokens = tokenizer.encode(text, false);
    const { deltas, stopped, value } = stream(tokens, ['🍕 four']);
    expect(stopped).toBe(false);
    expect(value).toBe(text);
    expect(deltas.join('')).toBe(text);
  });

  it('adds up to the full decode for random bytes, invalid UTF-8 included', () => {
    // GPT-2's first 256 ids are its single-byte tokens: random ids there are random bytes.
    const rng = new SeededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const tokens = Array.from({ length: 1 + Math.floor(rng.next() * 24) }, () =>
        Math.floor(rng.next() * 256),
      );
      const { deltas, value } = stream(tokens);
      expect(value).toBe(decode(tokens));
      expect(deltas.join('')).toBe(value);
    }
  });

  it('adds up to the full decode for random text, with random stop strings', () => {
    const pool = ['a', 'b', ' ', 'é', '日', '本', '🍕', '👍🏽', '\n', 'ß', 'Ω', '—'];
    const rng = new SeededRandom(11);
    const pick = (n: number) =>
      Array.from({ length: n }, () => pool[Math.floor(rng.next() * pool.length)]).join('');
    for (let trial = 0; trial < 200; trial++) {
      const text = pick(1 + Math.floor(rng.next() * 30));
      const tokens = tokenizer.encode(text, false);
      const full = decode(tokens);
      const stop = pick(1 + Math.floor(rng.next() * 3));
      const { deltas, stopped, value } = stream(tokens, [stop]);
      const at = full.indexOf(stop);
      expect(stopped).toBe(at >= 0);
      expect(value).toBe(at >= 0 ? full.slice(0, at) : full);
      expect(deltas.join('')).toBe(value);
    }
  });

  it('decodes a bounded window per token, not the whole completion', () => {
    let decoded = 0;
    const counting = (list: readonly number[]) => {
      decoded += list.length;
      return decode(list);
    };
    const tokens = tokenizer.encode('word '.repeat(300), false);
    const { value } = stream(tokens, [], counting);
    expect(value).toBe('word '.repeat(300));
    // A full decode per token would be tokens² / 2 ids (about 180,000 here).
    expect(decoded).toBeLessThan(4 * tokens.length);
  });

  it("gives the decoder the previous token's context (a decoder that drops a leading space)", () => {
    // SentencePiece-style: each token is '▁word', the very first space is dropped by the decoder.
    const vocab = ['▁Hello', '▁world', ',', '▁again'];
    const metaspace = (list: readonly number[]) =>
      list
        .map((i) => vocab[i] ?? '')
        .join('')
        .replaceAll('▁', ' ')
        .replace(/^ /, '');
    const { deltas, value } = stream([0, 1, 2, 3], [], metaspace);
    expect(value).toBe('Hello world, again');
    expect(deltas.join('')).toBe(value);
  });
});
