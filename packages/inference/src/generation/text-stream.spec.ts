import { TextStream } from './text-stream';

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
