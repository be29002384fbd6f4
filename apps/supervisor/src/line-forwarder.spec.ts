import { Writable } from 'node:stream';
import { createLineForwarder, labelLine } from './line-forwarder';

function collect(): { sink: Writable; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { sink, text: () => chunks.join('') };
}

describe('labelLine', () => {
  it('prefixes plain text with the child name', () => {
    expect(labelLine('api', 'listening on 4000')).toBe('[api] listening on 4000');
    expect(labelLine('api', 'windows line\r')).toBe('[api] windows line');
  });

  it('leaves a JSON line that names its writer byte for byte', () => {
    const line = '{"level":30,"name":"api","msg":"hello"}';
    expect(labelLine('api', line)).toBe(line);
    const service = '{"service":"maas-worker","msg":"x"}';
    expect(labelLine('worker', service)).toBe(service);
  });

  it('adds the child name as a first key to an anonymous JSON line, keeping it valid JSON', () => {
    const out = labelLine('worker', '{"level":30,"msg":"job done","n":[1,2]}');
    expect(out).toBe('{"child":"worker","level":30,"msg":"job done","n":[1,2]}');
    expect(JSON.parse(out)).toEqual({ child: 'worker', level: 30, msg: 'job done', n: [1, 2] });
    expect(JSON.parse(labelLine('x', '{ }'))).toEqual({ child: 'x' });
  });

  it('treats brace-wrapped text that is not JSON, and JSON arrays, as text', () => {
    expect(labelLine('api', '{not json}')).toBe('[api] {not json}');
    expect(labelLine('api', '[1,2]')).toBe('[api] [1,2]');
  });
});

describe('createLineForwarder', () => {
  it('joins chunks into whole lines and flushes the last unterminated one', () => {
    const { sink, text } = collect();
    const forward = createLineForwarder('api', sink);
    forward.write('first li');
    forward.write(Buffer.from('ne\nsecond\nthi'));
    expect(text()).toBe('[api] first line\n[api] second\n');
    forward.write('rd');
    forward.flush();
    expect(text()).toBe('[api] first line\n[api] second\n[api] third\n');
  });

  it('does not break a multi-byte character split across chunks', () => {
    const { sink, text } = collect();
    const forward = createLineForwarder('api', sink);
    const bytes = Buffer.from('modèle → prêt\n', 'utf8');
    const cut = bytes.indexOf(0xa8); // inside "è" (c3 a8)
    forward.write(bytes.subarray(0, cut));
    forward.write(bytes.subarray(cut));
    expect(text()).toBe('[api] modèle → prêt\n');
  });
});
