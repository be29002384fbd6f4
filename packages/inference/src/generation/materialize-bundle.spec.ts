import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactSource } from '../artifact-source';
import { isSafeBundlePath, materializeBundle } from './materialize-bundle';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function memory(entries: Uint8Array[]): ArtifactSource {
  const bySha = new Map(entries.map((b) => [sha(b), b]));
  return {
    openRead: (s) => {
      const b = bySha.get(s);
      return b ? Promise.resolve(b) : Promise.reject(new Error('missing'));
    },
    stat: (s) => Promise.resolve(bySha.has(s) ? { sizeBytes: 1 } : null),
  };
}

describe('materializeBundle', () => {
  const root = mkdtempSync(join(tmpdir(), 'maas-bundle-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const config = Buffer.from('{"model_type":"gpt2"}');
  const graph = Buffer.from('not really onnx');

  it('writes the files under their paths, checked', async () => {
    const files = [
      { path: 'config.json', sizeBytes: config.length, sha256: sha(config) },
      { path: 'onnx/model.onnx', sizeBytes: graph.length, sha256: sha(graph) },
    ];
    const { dir } = await materializeBundle(memory([config, graph]), files, join(root, 'v1'));
    expect(readFileSync(join(dir, 'onnx', 'model.onnx'), 'utf8')).toBe('not really onnx');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"model_type":"gpt2"}');
  });

  it('refuses a file that does not match its manifest, and unsafe paths, leaving nothing', async () => {
    const dir = join(root, 'v2');
    await expect(
      materializeBundle(
        memory([config]),
        [{ path: 'config.json', sizeBytes: 3, sha256: sha(config) }],
        dir,
      ),
    ).rejects.toThrow(/larger than its manifest/);
    await expect(
      materializeBundle(
        memory([config]),
        [{ path: '../x', sizeBytes: config.length, sha256: sha(config) }],
        dir,
      ),
    ).rejects.toThrow(/not allowed/);
    expect(() => readFileSync(join(dir, 'config.json'))).toThrow();
    for (const bad of ['/etc/passwd', 'a/../b', 'a\\b', '', 'a//b', './a'])
      expect(isSafeBundlePath(bad)).toBe(false);
    expect(isSafeBundlePath('1_Pooling/config.json')).toBe(true);
  });
});
