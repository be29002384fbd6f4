import { buildIdentityModel, buildLinearModel, buildMlpModel, readSignature } from '@maas/onnx';
import { InferenceInputError, ModelLoadError, createInferenceEngine } from '@maas/inference';
import type { InferenceEngine } from '@maas/inference';
import { randomRows } from '@maas/testing';
import { MemoryArtifacts, expectClose, fp32, rowsOf } from './fixtures';

describe('InferenceEngine.infer (real onnxruntime-node in threads)', () => {
  const artifacts = new MemoryArtifacts();
  let engine: InferenceEngine;
  let unbatched: InferenceEngine;

  const linear = {
    weights: [
      [3, -1, 0.5],
      [0, 2, 1],
    ],
    bias: [0.5, -1],
  };
  const linearKey = artifacts.add('linear', buildLinearModel(linear));
  const mlp = buildMlpModel({ inputSize: 10, hiddenLayers: [64, 64], outputSize: 3, seed: 7 });
  const mlpKey = artifacts.add('mlp', mlp.bytes);

  beforeAll(async () => {
    engine = await createInferenceEngine({ threads: 2, loadArtifact: artifacts.loader });
    unbatched = await createInferenceEngine({
      threads: 1,
      loadArtifact: artifacts.loader,
      batching: false,
    });
  });
  afterAll(async () => {
    await engine.close();
    await unbatched.close();
  });

  it('computes a linear model as JS does', async () => {
    const x = randomRows(5, 3, 11);
    const out = await engine.infer(linearKey, { input: fp32(x) });
    const expected = x.map((r) =>
      linear.weights.map((w, o) =>
        w.reduce((s, wi, i) => s + wi * (r[i] ?? 0), linear.bias[o] ?? 0),
      ),
    );
    expectClose(rowsOf(out.output), expected);
    expect(out.output?.shape).toEqual([5, 2]);
  });

  it('computes an MLP (two hidden layers of 64) as its JS forward pass does', async () => {
    const x = randomRows(20, 10, 3);
    const out = await engine.infer(mlpKey, { input: fp32(x) });
    expectClose(rowsOf(out.output), mlp.forward(x), 1e-4);
  });

  it('reports the same signature as @maas/onnx readSignature', async () => {
    const signature = await engine.signature(mlpKey);
    const fromFile = readSignature(mlp.bytes);
    expect(signature.inputs).toEqual(fromFile.inputs);
    expect(signature.outputs).toEqual(fromFile.outputs);
  });

  it('gives the same answers batched and unbatched', async () => {
    const requests = Array.from({ length: 40 }, (_, i) => randomRows(1 + (i % 3), 10, 100 + i));
    const [batched, alone] = await Promise.all([
      Promise.all(requests.map((x) => engine.infer(mlpKey, { input: fp32(x) }))),
      Promise.all(requests.map((x) => unbatched.infer(mlpKey, { input: fp32(x) }))),
    ]);
    batched.forEach((out, i) => {
      expect(out.output?.shape).toEqual([requests[i]?.length, 3]);
      expectClose(rowsOf(out.output), rowsOf(alone[i]?.output), 1e-6);
    });
  });

  it('answers 300 concurrent requests, each correctly', async () => {
    const requests = Array.from({ length: 300 }, (_, i) => randomRows(1, 10, 1000 + i));
    const outs = await Promise.all(requests.map((x) => engine.infer(mlpKey, { input: fp32(x) })));
    outs.forEach((out, i) => expectClose(rowsOf(out.output), mlp.forward(requests[i] ?? []), 1e-4));
  });

  it('loads a version once for concurrent first requests', async () => {
    const key = artifacts.add('linear-once', buildLinearModel({ weights: [[1]], bias: [0] }));
    const before = artifacts.loads;
    await Promise.all(Array.from({ length: 20 }, () => engine.infer(key, { input: fp32([[2]]) })));
    expect(artifacts.loads - before).toBe(1);
  });

  it('round-trips INT64, BOOL and string tensors', async () => {
    const key = artifacts.add(
      'identity-multi',
      buildIdentityModel([
        { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
        { name: 'flags', datatype: 'BOOL', shape: [-1] },
        { name: 'names', datatype: 'BYTES', shape: [-1] },
      ]),
    );
    const out = await engine.infer(key, {
      ids: {
        datatype: 'INT64',
        shape: [2, 2],
        data: BigInt64Array.from([1n, -(2n ** 60n), 3n, 4n]),
      },
      flags: { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
      names: { datatype: 'BYTES', shape: [2], data: ['ä', 'b'] },
    });
    expect(out.ids_out).toEqual({
      datatype: 'INT64',
      shape: [2, 2],
      data: BigInt64Array.from([1n, -(2n ** 60n), 3n, 4n]),
    });
    expect(out.flags_out).toEqual({ datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) });
    expect(out.names_out).toEqual({ datatype: 'BYTES', shape: [2], data: ['ä', 'b'] });
  });

  it('returns only the requested outputs', async () => {
    const key = artifacts.add(
      'identity-two',
      buildIdentityModel([
        { name: 'a', datatype: 'FP32', shape: [-1] },
        { name: 'b', datatype: 'FP32', shape: [-1] },
      ]),
    );
    const feeds = {
      a: { datatype: 'FP32' as const, shape: [1], data: Float32Array.from([1]) },
      b: { datatype: 'FP32' as const, shape: [1], data: Float32Array.from([2]) },
    };
    expect(Object.keys(await engine.infer(key, feeds, { outputs: ['b_out'] }))).toEqual(['b_out']);
    await expect(engine.infer(key, feeds, { outputs: ['c'] })).rejects.toThrow(InferenceInputError);
  });

  it('rejects bad inputs before running, and keeps serving', async () => {
    await expect(engine.infer(mlpKey, { input: fp32([[1, 2]]) })).rejects.toThrow(
      /input 'input'.*dimension 1 must be 10/,
    );
    await expect(engine.infer(mlpKey, {})).rejects.toThrow(/missing input 'input'/);
    await expect(
      engine.infer(mlpKey, { input: fp32(randomRows(1, 10)), extra: fp32([[1]]) }),
    ).rejects.toThrow(/unknown input 'extra'/);
    const ok = await engine.infer(mlpKey, { input: fp32(randomRows(1, 10)) });
    expect(ok.output?.shape).toEqual([1, 3]);
  });

  it('refuses an artifact whose sha256 does not match, and one ONNX Runtime cannot load', async () => {
    const key = artifacts.add('tampered', buildLinearModel({ weights: [[1]], bias: [0] }));
    await expect(
      engine.infer({ ...key, sha256: '0'.repeat(64) }, { input: fp32([[1]]) }),
    ).rejects.toThrow(ModelLoadError);
    const bad = artifacts.add('garbage', new TextEncoder().encode('not onnx'));
    await expect(engine.infer(bad, { input: fp32([[1]]) })).rejects.toThrow(
      /ONNX Runtime could not load version garbage/,
    );
    await expect(engine.infer({ id: 'absent', sha256: 'x' }, {})).rejects.toThrow(
      /could not fetch the artifact of version absent/,
    );
  });
});
