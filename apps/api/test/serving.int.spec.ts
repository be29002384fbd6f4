import { buildIdentityModel, buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

let api: TestApi;
let modelId: string;
const versionIds: string[] = [];

const PREDICT = `query($input: PredictInput!) { predict(input: $input) { id outputs latencyMs modelVersion { version } } }`;
const oip = (path: string, init?: RequestInit) =>
  fetch(`${api.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${api.adminKey}`,
      'content-type': 'application/json',
      ...init?.headers,
    },
  });

beforeAll(async () => {
  api = await startTestApi();
  const res = await api.gql(
    `mutation { createModel(input: { name: "line", task: REGRESSION }) { id } }`,
  );
  modelId = res.data.createModel.id;
  // y = 3x1 + 1x2 + 0.5 (v1) and y = 4x1 + 2x2 + 1 (v2)
  for (const [w, b] of [
    [[3, 1], 0.5],
    [[4, 2], 1],
  ] as const) {
    const up = await api.upload(
      'line',
      buildLinearModel({ weights: [[...w]], bias: [b], tabular: { features: ['x1', 'x2'] } }),
    );
    expect(up.status).toBe(201);
    versionIds.push(up.body.id);
  }
});
afterAll(async () => {
  await api?.close();
});

describe('predict', () => {
  it('runs tensors on the latest version, or the production alias once set, or an explicit version', async () => {
    const latest = await api.gql(PREDICT, {
      input: {
        model: 'line',
        inputs: {
          input: [
            [1, 2],
            [0, 0],
          ],
        },
      },
    });
    expect(latest.errors).toBeUndefined();
    expect(latest.data.predict.modelVersion.version).toBe(2);
    expect(latest.data.predict.outputs.output).toEqual([[9], [1]]);
    expect(latest.data.predict.latencyMs).toBeGreaterThan(0);

    await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "production", version: 1) { alias } }`,
      { m: modelId },
    );
    const prod = await api.gql(PREDICT, {
      input: { model: 'line', inputs: { input: { shape: [1, 2], data: [1, 2] } } },
    });
    expect(prod.data.predict.modelVersion.version).toBe(1);
    expect(prod.data.predict.outputs.output).toEqual([[5.5]]);
    const explicit = await api.gql(PREDICT, {
      input: { model: 'line', version: 2, inputs: { input: [[1, 1]] } },
    });
    expect(explicit.data.predict.outputs.output).toEqual([[7]]);
  });

  it('takes tabular records by feature name and returns predictions per record', async () => {
    const res = await api.gql(PREDICT, {
      input: {
        model: 'line',
        version: 1,
        records: [
          { x1: 1, x2: 2 },
          { x2: '1', x1: 0 },
        ],
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.predict.outputs.predictions).toEqual([5.5, 1.5]);
    const missing = await api.gql(PREDICT, { input: { model: 'line', records: [{ x1: 1 }] } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.message).toMatch(/x2/);
  });

  it('answers bad inputs with BAD_USER_INPUT naming the input, and keeps serving', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /missing input 'input'/],
      [{ input: [[1, 2]], other: [1] }, /unknown input 'other'/],
      [{ input: [1, 2] }, /input/],
      [{ input: [[1, 2, 3]] }, /input/],
      [{ input: [[1], [2, 3]] }, /input/],
      [{ input: [['a', 'b']] }, /input/],
      [{ input: { shape: [2, 2], data: [1, 2, 3] } }, /input/],
    ];
    for (const [inputs, message] of cases) {
      const res = await api.gql(PREDICT, { input: { model: 'line', inputs } });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(inputs)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(message);
    }
    const unknown = await api.gql(PREDICT, {
      input: { model: 'nope', inputs: { input: [[1, 2]] } },
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const both = await api.gql(PREDICT, {
      input: { model: 'line', inputs: { input: [[1, 2]] }, records: [{ x1: 1, x2: 1 }] },
    });
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await api.gql(PREDICT, {
      input: { model: 'line', version: 2, inputs: { input: [[0, 0]] } },
    });
    expect(ok.data.predict.outputs.output).toEqual([[1]]);
  });

  it('serves 300 concurrent predictions, all correct', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        api.gql(PREDICT, { input: { model: 'line', version: 2, inputs: { input: [[i, 1]] } } }),
      ),
    );
    results.forEach((r, i) =>
      expect(r.data?.predict.outputs.output, String(i)).toEqual([[4 * i + 3]]),
    );
  });

  it('serves INT64, BOOL and string tensors unchanged through an identity model', async () => {
    await api.gql(`mutation { createModel(input: { name: "ident" }) { id } }`);
    const up = await api.upload(
      'ident',
      buildIdentityModel([
        { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
        { name: 'flags', datatype: 'BOOL', shape: [-1] },
        { name: 'words', datatype: 'BYTES', shape: [-1] },
      ]),
    );
    expect(up.status).toBe(201);
    const res = await api.gql(PREDICT, {
      input: {
        model: 'ident',
        inputs: {
          ids: [
            [1, -9007199254740991],
            [3, 4],
          ],
          flags: [true, false],
          words: ['héllo', ''],
        },
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.predict.outputs).toEqual({
      ids_out: [
        [1, -9007199254740991],
        [3, 4],
      ],
      flags_out: [true, false],
      words_out: ['héllo', ''],
    });
    const tooBig = await api.gql(PREDICT, {
      input: { model: 'ident', inputs: { ids: [[2 ** 60, 1]], flags: [true], words: ['a'] } },
    });
    expect(tooBig.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('Open Inference Protocol', () => {
  it('answers health, server and model metadata, and readiness', async () => {
    expect((await fetch(`${api.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${api.url}/v2/health/ready`)).status).toBe(200);
    const server = await (await oip('/v2')).json();
    expect(server).toMatchObject({
      name: 'maas',
      extensions: expect.arrayContaining(['binary_tensor_data']),
    });
    const meta = await (await oip('/v2/models/line/versions/2')).json();
    expect(meta).toEqual({
      name: 'line',
      versions: ['2'],
      platform: 'onnxruntime',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 1] }],
    });
    expect((await oip('/v2/models/line/ready')).status).toBe(200);
    expect((await oip('/v2/models/nope/ready')).status).toBe(404);
    expect((await fetch(`${api.url}/v2/models/line`)).status).toBe(401);
  });

  it('infers with JSON tensors, flat row-major data', async () => {
    const res = await oip('/v2/models/line/versions/2/infer', {
      method: 'POST',
      body: JSON.stringify({
        id: 'req-1',
        inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }],
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      model_name: 'line',
      model_version: '2',
      id: 'req-1',
      outputs: [{ name: 'output', datatype: 'FP32', shape: [2, 1], data: [9, 21] }],
    });
    const bad = await oip('/v2/models/line/infer', {
      method: 'POST',
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }],
      }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/input/);
    const garbage = await oip('/v2/models/line/infer', { method: 'POST', body: '{not json' });
    expect(garbage.status).toBe(400);
  });

  it("speaks Triton's binary tensor data extension both ways", async () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'input', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
        ],
        outputs: [{ name: 'output', parameters: { binary_data: true } }],
      }),
    );
    const tensor = Buffer.from(new Float32Array([1, 2]).buffer);
    const res = await oip('/v2/models/line/versions/2/infer', {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
      },
      body: Buffer.concat([header, tensor]),
    });
    expect(res.status).toBe(200);
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const body = Buffer.from(await res.arrayBuffer());
    const json = JSON.parse(body.subarray(0, jsonLength).toString('utf8'));
    expect(json.outputs[0]).toMatchObject({
      name: 'output',
      datatype: 'FP32',
      shape: [1, 1],
      parameters: { binary_data_size: 4 },
    });
    const out = body.subarray(jsonLength);
    expect(new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + 4))[0]).toBe(9);
  });

  it('passes large binary tensors of several datatypes through unchanged, streamed back', async () => {
    await api.gql(`mutation { createModel(input: { name: "big-ident" }) { id } }`);
    const up = await api.upload(
      'big-ident',
      buildIdentityModel([
        { name: 'a', datatype: 'FP32', shape: [-1] },
        { name: 'b', datatype: 'FP64', shape: [-1] },
        { name: 'c', datatype: 'BOOL', shape: [-1] },
      ]),
    );
    expect(up.status).toBe(201);
    // 300,001 floats (1.2 MB, over the size above which answers are streamed), then FP64 after an
    // odd number of bytes (so it cannot be viewed in place and is copied), then BOOL bytes that
    // are not 0/1 (normalised).
    const a = Float32Array.from({ length: 300_001 }, (_, i) => Math.fround(Math.sin(i)));
    const b = Float64Array.from({ length: 1_001 }, (_, i) => i / 7);
    const c = Uint8Array.from({ length: 9 }, (_, i) => (i % 3 === 0 ? 0 : i));
    // A header of odd length (the padding) puts the binary data at an odd offset of the body.
    const header = Buffer.from(
      JSON.stringify({
        pad: 'x'.repeat(3),
        inputs: [
          {
            name: 'a',
            shape: [a.length],
            datatype: 'FP32',
            parameters: { binary_data_size: a.byteLength },
          },
          {
            name: 'b',
            shape: [b.length],
            datatype: 'FP64',
            parameters: { binary_data_size: b.byteLength },
          },
          {
            name: 'c',
            shape: [c.length],
            datatype: 'BOOL',
            parameters: { binary_data_size: c.byteLength },
          },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    const res = await oip('/v2/models/big-ident/infer', {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
      },
      body: Buffer.concat([header, Buffer.from(a.buffer), Buffer.from(b.buffer), c]),
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.byteLength);
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const json = JSON.parse(body.subarray(0, jsonLength).toString('utf8'));
    expect(json.outputs.map((o: { name: string }) => o.name)).toEqual(['a_out', 'b_out', 'c_out']);
    let offset = jsonLength;
    const next = (size: number) => {
      const bytes = body.subarray(offset, offset + size);
      offset += size;
      return new Uint8Array(bytes); // a copy, aligned
    };
    const sizes = json.outputs.map(
      (o: { parameters: { binary_data_size: number } }) => o.parameters.binary_data_size,
    );
    expect(sizes).toEqual([a.byteLength, b.byteLength, c.byteLength]);
    expect(new Float32Array(next(sizes[0]).buffer)).toEqual(a);
    expect(new Float64Array(next(sizes[1]).buffer)).toEqual(b);
    expect(Array.from(next(sizes[2]))).toEqual(Array.from(c, (v) => (v === 0 ? 0 : 1)));
    expect(offset).toBe(body.byteLength);
  });
});

describe('deployments', () => {
  it('routes a canary near 80/20, promotes, reports stats, and protects what it routes to', async () => {
    const created = await api.gql(
      `mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { name model { name } routes { weight version { version } } } }`,
      {
        input: {
          name: 'line-prod',
          modelId,
          routes: [
            { versionId: versionIds[0], weight: 80 },
            { versionId: versionIds[1], weight: 20 },
          ],
        },
      },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data.createDeployment.routes).toEqual([
      { weight: 80, version: { version: 1 } },
      { weight: 20, version: { version: 2 } },
    ]);

    const counts = { 1: 0, 2: 0 };
    for (let batch = 0; batch < 10; batch++) {
      const res = await Promise.all(
        Array.from({ length: 40 }, () =>
          api.gql(PREDICT, { input: { model: 'line-prod', inputs: { input: [[1, 1]] } } }),
        ),
      );
      for (const r of res) counts[r.data.predict.modelVersion.version as 1 | 2] += 1;
    }
    expect(counts[1] + counts[2]).toBe(400);
    expect(counts[1] / 400).toBeGreaterThan(0.7);
    expect(counts[1] / 400).toBeLessThan(0.9);

    const viaOip = await oip('/v2/models/line-prod/infer', {
      method: 'POST',
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', data: [0, 0] }],
      }),
    });
    expect(viaOip.status).toBe(200);

    const withVersion = await api.gql(PREDICT, {
      input: { model: 'line-prod', version: 1, inputs: { input: [[1, 1]] } },
    });
    expect(withVersion.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badWeights = await api.gql(
      `mutation($r: [RouteInput!]!) { updateDeploymentRoutes(name: "line-prod", routes: $r) { name } }`,
      {
        r: [
          { versionId: versionIds[0], weight: 50 },
          { versionId: versionIds[1], weight: 20 },
        ],
      },
    );
    expect(badWeights.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const clash = await api.gql(
      `mutation($m: ID!) { createDeployment(input: { name: "line", modelId: $m, routes: [] }) { name } }`,
      { m: modelId },
    );
    expect(clash.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const blockedModel = await api.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, {
      id: modelId,
    });
    expect(blockedModel.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const blockedVersion = await api.gql(`mutation($id: ID!) { deleteModelVersion(id: $id) }`, {
      id: versionIds[1],
    });
    expect(blockedVersion.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const promoted = await api.gql(
      `mutation($r: [RouteInput!]!) { updateDeploymentRoutes(name: "line-prod", routes: $r) { routes { weight version { version } } } }`,
      {
        r: [{ versionId: versionIds[1], weight: 100 }],
      },
    );
    expect(promoted.data.updateDeploymentRoutes.routes).toEqual([
      { weight: 100, version: { version: 2 } },
    ]);
    const after = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.gql(PREDICT, { input: { model: 'line-prod', inputs: { input: [[1, 1]] } } }),
      ),
    );
    expect(new Set(after.map((r) => r.data.predict.modelVersion.version))).toEqual(new Set([2]));

    await new Promise((r) => setTimeout(r, 2500)); // one stats flush
    const stats = await api.gql(
      `{ deploymentStats(name: "line-prod", windowSeconds: 300) { requests errors requestsPerSecond p50Ms p99Ms byVersion } }`,
    );
    expect(stats.errors).toBeUndefined();
    expect(stats.data.deploymentStats.requests).toBeGreaterThanOrEqual(421);
    const byVersion = stats.data.deploymentStats.byVersion;
    expect(byVersion['1'].requests + byVersion['2'].requests).toBe(
      stats.data.deploymentStats.requests,
    );
    // The one OIP request went to either version.
    expect(byVersion['1'].requests - counts[1]).toBeGreaterThanOrEqual(0);
    expect(byVersion['1'].requests - counts[1]).toBeLessThanOrEqual(1);
    expect(stats.data.deploymentStats.p50Ms).toBeGreaterThan(0);

    const status = await api.gql(
      `{ inferenceStatus { executionProvider workers loadedVersions loadedBytes } }`,
    );
    expect(status.data.inferenceStatus).toMatchObject({ executionProvider: 'cpu', workers: 1 });
    expect(status.data.inferenceStatus.loadedVersions).toBeGreaterThanOrEqual(2);

    const metrics = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.adminKey}` } })
    ).text();
    expect(metrics).toMatch(/maas_predictions_total\{workspace="[0-9a-f-]{36}",status="ok"\} \d+/);
    expect(metrics).toMatch(/maas_inference_batch_size_count \d+/);

    const deleted = await api.gql(`mutation { deleteDeployment(name: "line-prod") }`);
    expect(deleted.data.deleteDeployment).toBe(true);
    const gone = await api.gql(PREDICT, {
      input: { model: 'line-prod', inputs: { input: [[1, 1]] } },
    });
    expect(gone.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
