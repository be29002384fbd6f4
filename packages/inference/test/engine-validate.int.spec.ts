import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInferenceEngine } from '@maas/inference';
import type { InferenceEngine } from '@maas/inference';
import { buildSquareLinearModel } from '@maas/testing';
import { ONNX_ELEM_TYPE, identityModelBytes } from '../src/probe-model';

describe('InferenceEngine.validateModel (real onnxruntime-node in a pool thread)', () => {
  let engine: InferenceEngine;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'maas-validate-'));
    engine = await createInferenceEngine({ threads: 1, executionProviders: 'auto' });
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports CPU here and the pool size', () => {
    const status = engine.status();
    expect(status.executionProvider).toBe('cpu');
    expect(status.workers).toBe(1);
    expect(status.loadedVersions).toBe(0);
  });

  it('accepts a valid model and returns its signature, with -1 for dynamic dimensions', async () => {
    const file = join(dir, 'ok.onnx');
    writeFileSync(file, identityModelBytes(ONNX_ELEM_TYPE.INT64, ['batch', 4]));
    const result = await engine.validateModel(file);
    expect(result).toEqual({
      ok: true,
      inputs: [{ name: 'x', datatype: 'INT64', shape: [-1, 4] }],
      outputs: [{ name: 'y', datatype: 'INT64', shape: [-1, 4] }],
      nonTensorOutputs: [],
    });
  });

  it("rejects a file that is not ONNX with ONNX Runtime's own message", async () => {
    const file = join(dir, 'bad.onnx');
    writeFileSync(file, Buffer.from('this is not a protobuf model'));
    const result = await engine.validateModel(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/protobuf parsing failed/i);
  });

  it('rejects a model whose graph ONNX Runtime cannot build', async () => {
    // Valid protobuf, but the op does not exist in the default domain.
    const bytes = Buffer.from(identityModelBytes())
      .toString('latin1')
      .replace('Identity', 'Identitx');
    const file = join(dir, 'unknown-op.onnx');
    writeFileSync(file, Buffer.from(bytes, 'latin1'));
    const result = await engine.validateModel(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/Identitx/);
  });

  it('releases the validation session (the thread holds none afterwards)', async () => {
    const file = join(dir, 'ok2.onnx');
    writeFileSync(file, identityModelBytes());
    for (let i = 0; i < 5; i++) expect((await engine.validateModel(file)).ok).toBe(true);
    expect(await engine.threadSessionCounts()).toEqual([0]);
    expect(engine.status().loadedVersions).toBe(0);
  });
});

describe('validateModel past MODEL_LOAD_TIMEOUT_MS', () => {
  it('refuses the model with a reason, replaces the thread, and validates the next one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maas-validate-slow-'));
    // 1 ms: no real session creation (here a 16 MB model) fits, so the deadline always passes.
    const engine = await createInferenceEngine({ threads: 1, loadTimeoutMs: 1 });
    const patient = await createInferenceEngine({ threads: 1 });
    try {
      const file = join(dir, 'big.onnx');
      writeFileSync(file, buildSquareLinearModel(2000, 1));
      const started = performance.now();
      expect(await engine.validateModel(file)).toEqual({
        ok: false,
        reason: 'ONNX Runtime did not finish loading the model within 1 ms',
      });
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await patient.validateModel(file)).ok).toBe(true);
    } finally {
      await engine.close();
      await patient.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
