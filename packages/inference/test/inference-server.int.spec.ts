import { GraphBuilder, buildMlpModel } from '@maas/onnx';
import {
  ARTIFACT_SHA256_HEADER,
  createInferenceEngine,
  decodeBinaryTensor,
  startInferenceServer,
} from '@maas/inference';
import type { InferenceEngine, InferenceServer, VersionKey } from '@maas/inference';
import { randomRows } from '@maas/testing';
import { MemoryArtifacts, expectClose } from './fixtures';

const TOKEN = 'test-worker-token';

/** A classifier-shaped model: probabilities as a tensor and as a ZipMap (a sequence of maps). */
function buildZipMapModel(): Uint8Array {
  return new GraphBuilder({ extraOpsets: [{ domain: 'ai.onnx.ml', version: 1 }] })
    .addInput('x', 'FP32', [-1, 2])
    .addNode('Softmax', ['x'], ['probabilities'], { axis: 1 })
    .addNode(
      'ZipMap',
      ['probabilities'],
      ['output_probability'],
      { classlabels_int64s: [0, 1] },
      { domain: 'ai.onnx.ml' },
    )
    .addOutput('probabilities', 'FP32', [-1, 2])
    .addOutput('output_probability', {
      sequence: { map: { key: 'INT64', value: { tensor: { datatype: 'FP32' } } } },
    })
    .toBytes();
}

describe('standalone OIP server', () => {
  const artifacts = new MemoryArtifacts();
  const mlp = buildMlpModel({ inputSize: 10, hiddenLayers: [64, 64], outputSize: 2, seed: 3 });
  const mlpKey = artifacts.add('mlp-v1', mlp.bytes);
  const zipKey = artifacts.add('zip-v1', buildZipMapModel());
  let engine: InferenceEngine;
  let server: InferenceServer;
  let open: InferenceServer;
  const auth = (key: VersionKey) => ({
    authorization: `Bearer ${TOKEN}`,
    [ARTIFACT_SHA256_HEADER]: key.sha256,
  });

  beforeAll(async () => {
    engine = await createInferenceEngine({ threads: 1, loadArtifact: artifacts.loader });
    server = await startInferenceServer({
      port: 0,
      host: '127.0.0.1',
      token: TOKEN,
      engine,
      resolveVersion: (id) => Promise.resolve(id === 'zip-v1' ? zipKey : undefined),
    });
    open = await startInferenceServer({ port: 0, host: '127.0.0.1', engine });
  });
  afterAll(async () => {
    await server.close();
    await open.close();
    await engine.close();
  });

  const infer = (key: VersionKey, body: unknown, headers: Record<string, string> = auth(key)) =>
    fetch(`${server.url}/v2/models/${key.id}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('answers health checks without a token', async () => {
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${open.url}/v2/health/ready`)).status).toBe(200);
  });

  it('refuses callers without the right token, and everyone when no token is configured', async () => {
    const body = { inputs: [] };
    expect((await infer(mlpKey, body, { [ARTIFACT_SHA256_HEADER]: mlpKey.sha256 })).status).toBe(
      401,
    );
    expect(
      (
        await infer(mlpKey, body, {
          authorization: 'Bearer nope',
          [ARTIFACT_SHA256_HEADER]: mlpKey.sha256,
        })
      ).status,
    ).toBe(401);
    const refused = await fetch(`${open.url}/v2/models/${mlpKey.id}/infer`, {
      method: 'POST',
      headers: auth(mlpKey),
      body: '{}',
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: expect.stringMatching(/INFERENCE_WORKER_TOKEN/),
    });
    expect((await fetch(`${server.url}/v2`, { headers: auth(mlpKey) })).status).toBe(200);
  });

  it('serves model metadata and readiness by version id', async () => {
    const meta = await fetch(`${server.url}/v2/models/${mlpKey.id}`, { headers: auth(mlpKey) });
    expect(await meta.json()).toEqual({
      name: 'mlp-v1',
      versions: ['mlp-v1'],
      platform: 'onnxruntime',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 10] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 2] }],
    });
    expect(
      (await fetch(`${server.url}/v2/models/${mlpKey.id}/ready`, { headers: auth(mlpKey) })).status,
    ).toBe(200);
    const unknown = await fetch(`${server.url}/v2/models/nope/ready`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(unknown.status).toBe(404);
  });

  it('infers with JSON, matching the JS forward pass', async () => {
    const x = randomRows(3, 10, 9);
    const res = await infer(mlpKey, {
      id: 'req-1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 10], data: x.flat() }],
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      id: string;
      model_name: string;
      outputs: { name: string; shape: number[]; data: number[] }[];
    };
    expect(answer.id).toBe('req-1');
    expect(answer.model_name).toBe('mlp-v1');
    const out = answer.outputs[0];
    expect(out?.shape).toEqual([3, 2]);
    const rows = [0, 1, 2].map((i) => out?.data.slice(i * 2, i * 2 + 2) ?? []);
    expectClose(rows, mlp.forward(x), 1e-4);
  });

  it("speaks Triton's binary tensor data extension both ways", async () => {
    const x = randomRows(2, 10, 5);
    const raw = Buffer.from(Float32Array.from(x.flat()).buffer);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            datatype: 'FP32',
            shape: [2, 10],
            parameters: { binary_data_size: raw.byteLength },
          },
        ],
        outputs: [{ name: 'output', parameters: { binary_data: true } }],
      }),
    );
    const res = await fetch(`${server.url}/v2/models/${mlpKey.id}/infer`, {
      method: 'POST',
      headers: {
        ...auth(mlpKey),
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.byteLength),
      },
      body: Buffer.concat([header, raw]),
    });
    expect(res.status).toBe(200);
    const headerLength = Number(res.headers.get('inference-header-content-length'));
    const body = Buffer.from(await res.arrayBuffer());
    const json = JSON.parse(body.subarray(0, headerLength).toString()) as {
      outputs: { shape: number[]; parameters: { binary_data_size: number } }[];
    };
    expect(json.outputs[0]?.parameters.binary_data_size).toBe(16);
    const values = Array.from(
      decodeBinaryTensor('output', 'FP32', body.subarray(headerLength)) as Float32Array,
    );
    expectClose([values.slice(0, 2), values.slice(2, 4)], mlp.forward(x), 1e-4);
  });

  it('answers bad requests with 400 and a message naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] },
        /input 'input'.*dimension 1 must be 10/,
      ],
      [
        { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 10], data: [1] }] },
        /needs 10 values, got 1/,
      ],
      [{ inputs: [] }, /missing input 'input'/],
      [
        {
          inputs: [
            { name: 'input', datatype: 'INT64', shape: [1, 10], data: new Array(10).fill(1) },
          ],
        },
        /expected datatype FP32/,
      ],
      [{ nope: 1 }, /"inputs" array/],
    ];
    for (const [body, message] of cases) {
      const res = await infer(mlpKey, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const noSha = await infer(mlpKey, { inputs: [] }, { authorization: `Bearer ${TOKEN}` });
    expect(noSha.status).toBe(404); // no header, and resolveVersion does not know it
  });

  it('skips non-tensor outputs (ZipMap) with a note instead of failing', async () => {
    const res = await infer(
      zipKey,
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0, 0] }] },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      parameters: Record<string, string>;
      outputs: { name: string; data: number[] }[];
    };
    expect(answer.outputs.map((o) => o.name)).toEqual(['probabilities']);
    expect(answer.outputs[0]?.data).toEqual([0.5, 0.5]);
    expect(answer.parameters.skipped_non_tensor_outputs).toBe('output_probability');
  });
});
