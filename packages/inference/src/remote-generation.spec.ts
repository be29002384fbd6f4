import { describe, expect, it } from 'vitest';
import { parseBundleManifest } from './remote-bundles';
import { decodeVector, encodeVector, generationRefusal, readNdjson } from './remote-generation';
import { GenerationInputError, GenerationOverloadedError } from './inference.errors';

async function* chunksOf(parts: (string | Buffer)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts)
    yield await Promise.resolve(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
}

async function all(parts: (string | Buffer)[], max?: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of readNdjson(chunksOf(parts), max)) out.push(v);
  return out;
}

describe('readNdjson', () => {
  it('yields one value per line, whatever the chunk boundaries, a character split included', async () => {
    const text = `${JSON.stringify({ a: 'é€😀' })}\n${JSON.stringify([1, 2])}\n\n{"b":true}`;
    const bytes = Buffer.from(text, 'utf8');
    const expected = [{ a: 'é€😀' }, [1, 2], { b: true }];
    expect(await all([text])).toEqual(expected);
    // Every split point, one byte at a time through multi-byte characters.
    for (let cut = 1; cut < bytes.length; cut++)
      expect(await all([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    expect(await all([...bytes].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('refuses a line longer than its bound, and a line that is not JSON', async () => {
    await expect(all(['x'.repeat(20), 'y'.repeat(20)], 32)).rejects.toThrow(/longer than 32/);
    await expect(all(['{"a":1}\nnot json\n'])).rejects.toThrow();
  });
});

describe('the wire of embeddings and refusals', () => {
  it('carries float32 vectors exactly as base64', () => {
    const v = new Float32Array([0.1, -2.5, 3.4028234663852886e38, 1e-45, 0]);
    expect(decodeVector(encodeVector(v))).toEqual(v);
    expect(() => decodeVector('AAA')).toThrow(/float32/);
    expect(() => decodeVector(3)).toThrow(/base64/);
  });

  it("turns a worker's 400 with a generation code and its 429 back into the engine's errors", () => {
    const input = generationRefusal(400, {
      error: 'too long',
      code: 'context_length_exceeded',
      param: 'maxTokens',
    });
    expect(input).toBeInstanceOf(GenerationInputError);
    expect(input).toMatchObject({ code: 'context_length_exceeded', param: 'maxTokens' });
    const busy = generationRefusal(429, { error: 'full', retry_after_ms: 250 });
    expect(busy).toBeInstanceOf(GenerationOverloadedError);
    expect(busy).toMatchObject({ retryAfterMs: 250 });
    expect(generationRefusal(400, { error: 'bad tensor' })).toBeUndefined();
    expect(generationRefusal(400, { error: 'x', code: 'made_up' })).toBeUndefined();
    expect(generationRefusal(503, { error: 'down' })).toBeUndefined();
  });
});

describe('parseBundleManifest', () => {
  const sha = 'a'.repeat(64);
  it('takes safe relative paths with sizes and sha256 only', () => {
    expect(
      parseBundleManifest([{ path: 'onnx/model.onnx', sizeBytes: 3, sha256: sha.toUpperCase() }]),
    ).toEqual([{ path: 'onnx/model.onnx', sizeBytes: 3, sha256: sha }]);
    for (const bad of [
      [],
      'x',
      [{ path: '../etc/passwd', sizeBytes: 1, sha256: sha }],
      [{ path: '/abs', sizeBytes: 1, sha256: sha }],
      [{ path: 'a\\b', sizeBytes: 1, sha256: sha }],
      [{ path: 'ok', sizeBytes: -1, sha256: sha }],
      [{ path: 'ok', sizeBytes: 1.5, sha256: sha }],
      [{ path: 'ok', sizeBytes: 1, sha256: 'zz' }],
      [null],
    ])
      expect(() => parseBundleManifest(bad)).toThrow();
  });
});
