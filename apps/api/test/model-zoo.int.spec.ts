import { buildIdentityModel } from '@maas/onnx';
// Issue 3, "Done when": models from outside the project (skl2onnx- and torch-shaped, several
// dtypes) give through GraphQL predict and OIP (JSON and Triton binary) what onnxruntime-node
// gives directly, under the number rules of docs/api.md, "Numbers in JSON"; and bad inputs
// never crash or wedge the server.
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { buildZoo, seededRandom, type ZooFeeds, type ZooModel } from '@maas/testing';
import {
  binaryFeeds,
  binaryOf,
  binaryRequest,
  contractJson,
  nest,
  oipDatatype,
  oipJsonBody,
  parseBinaryResponse,
  predictInputs,
  runDirect,
} from './model-zoo-codec';

const PREDICT = `query($input: PredictInput!) { predict(input: $input) { outputs skippedOutputs } }`;

let api: TestApi;
const zoo = buildZoo();
const byName = (name: string) => zoo.find((m) => m.name === name) as ZooModel;
const sessions = new Map<string, ort.InferenceSession>();

beforeAll(async () => {
  api = await startTestApi();
  for (const model of zoo) {
    const created = await api.gql(
      `mutation($n: String!) { createModel(input: { name: $n }) { id } }`,
      {
        n: model.name,
      },
    );
    expect(created.errors).toBeUndefined();
    const up = await api.upload(model.name, model.bytes);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    sessions.set(model.name, await ort.InferenceSession.create(model.bytes));
  }
});
afterAll(async () => {
  for (const session of sessions.values()) await session.release();
  await api?.close();
});

function infer(name: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${api.url}/v2/models/${name}/infer`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${api.adminKey}`,
      'content-type': 'application/json',
      ...headers,
    },
    body,
  });
}

function predict(model: ZooModel, inputs: unknown) {
  return api.gql<{ predict: { outputs: Record<string, unknown>; skippedOutputs: string[] } }>(
    PREDICT,
    {
      input: { model: model.name, inputs },
    },
  );
}

function direct(model: ZooModel, feeds: ZooFeeds) {
  return runDirect(sessions.get(model.name) as ort.InferenceSession, feeds);
}

/** What predict must answer: every tensor output as nested arrays, nothing for ZipMap. */
async function expectedPredict(model: ZooModel, feeds: ZooFeeds) {
  const results = await direct(model, feeds);
  return Object.fromEntries(
    Object.entries(results).map(([name, t]) => [name, nest(contractJson(t), t.dims)]),
  );
}

/** What OIP must answer, in graph output order. */
async function expectedOip(model: ZooModel, feeds: ZooFeeds) {
  const results = await direct(model, feeds);
  return Object.entries(results).map(([name, t]) => ({
    name,
    datatype: oipDatatype(t.type),
    shape: [...t.dims],
    data: contractJson(t),
  }));
}

/** The batcher's histogram of requests per ONNX Runtime call: total requests and calls. */
async function batchMetrics() {
  const res = await fetch(`${api.url}/metrics`, {
    headers: { authorization: `Bearer ${api.adminKey}` },
  });
  const text = await res.text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    sum: read('maas_inference_batch_size_sum'),
    count: read('maas_inference_batch_size_count'),
  };
}

describe.each(zoo.map((m) => [m.name, m] as const))('%s', (_name, model) => {
  it('predict gives what onnxruntime gives, and skips outputs that are not tensors', async () => {
    for (const [i, feeds] of model.cases.entries()) {
      const res = await predict(model, predictInputs(feeds, i % 2 === 0));
      expect(res.errors, `case ${i}`).toBeUndefined();
      expect(res.data?.predict.outputs, `case ${i}`).toEqual(await expectedPredict(model, feeds));
      for (const skipped of model.nonTensorOutputs)
        expect(res.data?.predict.outputs).not.toHaveProperty(skipped);
      expect(res.data?.predict.skippedOutputs).toEqual(model.nonTensorOutputs);
    }
  });

  it('OIP infer with JSON tensors gives what onnxruntime gives', async () => {
    for (const [i, feeds] of model.cases.entries()) {
      const res = await infer(model.name, oipJsonBody(feeds, { id: `case-${i}` }));
      const body: unknown = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toEqual({
        model_name: model.name,
        model_version: '1',
        id: `case-${i}`,
        ...(model.nonTensorOutputs.length > 0
          ? { parameters: { skipped_non_tensor_outputs: model.nonTensorOutputs.join(',') } }
          : {}),
        outputs: await expectedOip(model, feeds),
      });
    }
  });

  it("OIP infer with Triton binary tensors gives onnxruntime's bytes", async () => {
    for (const feeds of model.cases) {
      const expected = await direct(model, feeds);
      const names = Object.keys(expected);
      // Every input in binary; outputs alternately binary and JSON.
      const { body, headers } = binaryFeeds(feeds, names, (i) => i % 2 === 0);
      const res = await infer(model.name, body, headers);
      const raw = Buffer.from(await res.arrayBuffer());
      expect(res.status, raw.toString()).toBe(200);
      const parsed = parseBinaryResponse(
        raw,
        Number(res.headers.get('inference-header-content-length')),
      );
      expect(parsed.outputs.map((o) => o.name)).toEqual(names);
      expect(parsed.trailing).toBe(0);
      parsed.outputs.forEach((o, i) => {
        const t = expected[o.name] as ort.Tensor;
        expect(o).toMatchObject({ datatype: oipDatatype(t.type), shape: [...t.dims] });
        if (i % 2 === 1) expect(o.data, o.name).toEqual(contractJson(t));
        else
          expect(
            parsed.bytes.get(o.name)?.equals(binaryOf(o.datatype, t.data as Float32Array)),
            o.name,
          ).toBe(true);
      });
    }
  });

  it('an empty batch gives the empty outputs onnxruntime gives', async () => {
    const empty: ZooFeeds = Object.fromEntries(
      Object.entries(model.cases[0] as ZooFeeds).map(([name, t]) => [
        name,
        { ...t, shape: [0, ...t.shape.slice(1)], data: [] },
      ]),
    );
    const res = await predict(model, predictInputs(empty, false));
    expect(res.errors).toBeUndefined();
    expect(res.data?.predict.outputs).toEqual(await expectedPredict(model, empty));
    const oip = await infer(model.name, oipJsonBody(empty));
    expect(((await oip.json()) as { outputs: unknown }).outputs).toEqual(
      await expectedOip(model, empty),
    );
  });

  it("OIP model metadata reports onnxruntime's inputs and tensor outputs", async () => {
    const session = sessions.get(model.name) as ort.InferenceSession;
    const res = await fetch(`${api.url}/v2/models/${model.name}`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    const meta = (await res.json()) as { inputs: unknown[]; outputs: { name: string }[] };
    const spec = (m: ort.InferenceSession.ValueMetadata) =>
      m.isTensor
        ? {
            name: m.name,
            datatype: oipDatatype(m.type),
            shape: m.shape.map((d) => (typeof d === 'number' ? d : -1)),
          }
        : undefined;
    expect(meta.inputs).toEqual(session.inputMetadata.map(spec));
    expect(meta.outputs.filter((o) => !model.nonTensorOutputs.includes(o.name))).toEqual(
      session.outputMetadata.filter((m) => m.isTensor).map(spec),
    );
  });
});

describe('batching', () => {
  it('concurrent requests of different batch sizes each get their own rows back', async () => {
    const random = seededRandom(3);
    const requests = Array.from({ length: 48 }, (_, i): { model: ZooModel; feeds: ZooFeeds } => {
      const rows = 1 + (i % 3);
      if (i % 2 === 0) {
        const data = Array.from({ length: rows * 64 }, () => Math.fround(random() * 2));
        return {
          model: byName('torch-cnn'),
          feeds: { input: { datatype: 'FP32', shape: [rows, 1, 8, 8], data } },
        };
      }
      const ints = Array.from({ length: rows * 3 }, () => Math.floor(random() * 2e9) - 1e9);
      return {
        model: byName('multi-io'),
        feeds: {
          ids: { datatype: 'INT64', shape: [rows, 3], data: ints },
          mask: { datatype: 'BOOL', shape: [rows, 3], data: ints.map((x) => x > 0) },
          tokens: {
            datatype: 'BYTES',
            shape: [rows, 2],
            data: ints.slice(0, rows * 2).map(String),
          },
        },
      };
    });
    const viaPredict = (i: number) => i % 4 < 2;
    const before = await batchMetrics();
    const answers = await Promise.all(
      requests.map(({ model, feeds }, i) =>
        viaPredict(i)
          ? predict(model, predictInputs(feeds, true)).then((r) => r.data?.predict.outputs)
          : infer(model.name, oipJsonBody(feeds))
              .then((r) => r.json())
              .then((b) => (b as { outputs: unknown }).outputs),
      ),
    );
    for (const [i, { model, feeds }] of requests.entries()) {
      const want = viaPredict(i)
        ? await expectedPredict(model, feeds)
        : await expectedOip(model, feeds);
      expect(answers[i], `request ${i}`).toEqual(want);
    }
    // Whether requests merged depends on timing (the batcher runs a lone request at once);
    // every request was accounted for, merged or not. Merging itself is tested in @maas/inference.
    const after = await batchMetrics();
    expect(after.sum - before.sum).toBeGreaterThanOrEqual(48);
  });
});

describe('bad inputs never crash or wedge the server', () => {
  const ok = { ids: [[1, 2, 3]], mask: [[true, false, true]], tokens: [['a', 'b']] };
  const row = () => Array.from({ length: 8 }, () => 0.5);
  const image = () => Array.from({ length: 8 }, row);
  const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const gqlBody = (inputsJson: string) =>
    `{"query":${JSON.stringify(PREDICT)},"variables":{"input":{"model":"multi-io","inputs":${inputsJson}}}}`;

  // [label, model, inputs]: predict must answer BAD_USER_INPUT.
  const predictCases: [string, string, unknown][] = [
    ['INT64 given a fraction', 'multi-io', { ...ok, ids: [[1.5, 2, 3]] }],
    ['INT64 given words', 'multi-io', { ...ok, ids: [['1', 'two', '3']] }],
    ['INT64 given a decimal fraction string', 'multi-io', { ...ok, ids: [['1.0', '2', '3']] }],
    ['INT64 string beyond 2^63', 'multi-io', { ...ok, ids: [['9223372036854775808', 0, 0]] }],
    ['INT64 beyond 2^53', 'multi-io', { ...ok, ids: [[2 ** 60, 0, 0]] }],
    ['INT64 given "NaN"', 'multi-io', { ...ok, ids: [['NaN', 0, 0]] }],
    ['BOOL given 2', 'multi-io', { ...ok, mask: [[2, 0, 1]] }],
    ['BOOL given "true"', 'multi-io', { ...ok, mask: [['true', false, true]] }],
    ['BYTES given numbers', 'multi-io', { ...ok, tokens: [[1, 2]] }],
    ['BYTES given null', 'multi-io', { ...ok, tokens: [[null, 'a']] }],
    [
      'FP32 given a word',
      'torch-cnn',
      { input: [[[['abc', ...row().slice(1)], ...image().slice(1)]]] },
    ],
    [
      'FP32 given an object',
      'torch-cnn',
      { input: { shape: [1, 1, 8, 8], data: [{}, ...row().slice(1)] } },
    ],
    ['rank too low', 'multi-io', { ...ok, ids: [1, 2, 3] }],
    ['rank too high', 'multi-io', { ...ok, ids: [[[1, 2, 3]]] }],
    ['a scalar', 'multi-io', { ...ok, ids: 5 }],
    ['fixed dimension mismatch', 'multi-io', { ...ok, ids: [[1, 2]] }],
    ['CNN fixed dimension mismatch', 'torch-cnn', { input: [[image().slice(1)]] }],
    ['ragged rows', 'multi-io', { ...ok, ids: [[1, 2, 3], [4]], mask: [ok.mask[0], ok.mask[0]] }],
    ['ragged image', 'torch-cnn', { input: [[[...image().slice(1), [1]]]] }],
    ['huge shape, little data', 'multi-io', { ...ok, ids: { shape: [1e9, 3], data: [1, 2, 3] } }],
    ['shape past 2^53 elements', 'torch-cnn', { input: { shape: [2 ** 50, 1, 8, 8], data: [] } }],
    ['negative dimension', 'multi-io', { ...ok, ids: { shape: [-1, 3], data: [1, 2, 3] } }],
    ['fractional dimension', 'multi-io', { ...ok, ids: { shape: [0.5, 3], data: [] } }],
    ['shape not an array', 'multi-io', { ...ok, ids: { shape: '1,3', data: [1, 2, 3] } }],
    ['data not an array', 'multi-io', { ...ok, ids: { shape: [1, 3], data: 'abc' } }],
    ['more data than the shape', 'multi-io', { ...ok, ids: { shape: [1, 3], data: [1, 2, 3, 4] } }],
    ['unknown input', 'multi-io', { ...ok, extra: [[1]] }],
    ['missing input', 'multi-io', { ids: ok.ids, mask: ok.mask }],
    ['inputs an array', 'multi-io', [ok]],
    ['inputs a string', 'multi-io', 'ids'],
  ];
  // Raw GraphQL bodies: HTTP 400 or BAD_USER_INPUT.
  const rawGraphql: [string, string][] = [
    ['not JSON', '{not json'],
    ['empty body', ''],
    ['JSON null', 'null'],
    ['deeply nested tensor', gqlBody(`{"ids":${deep(10_000)}}`)],
    ['deeply nested data', gqlBody(`{"ids":{"shape":[1,3],"data":${deep(10_000)}}}`)],
  ];

  // OIP on multi-io: `ids` replaced by the given fields (undefined drops one), others valid.
  const okOip = [
    { name: 'ids', datatype: 'INT64', shape: [1, 3], data: [1, 2, 3] },
    { name: 'mask', datatype: 'BOOL', shape: [1, 3], data: [true, false, true] },
    { name: 'tokens', datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] },
  ];
  const ids = (fields: object, extra: object = {}) =>
    JSON.stringify({ inputs: [{ ...okOip[0], ...fields }, ...okOip.slice(1)], ...extra });
  const i64 = (...xs: number[]) => Buffer.from(BigInt64Array.from(xs.map(BigInt)).buffer);
  /** multi-io with `input`'s data in binary (binary_data_size `size`), then `chunk`. */
  const bin = (size: number, chunk: Buffer, fields: object = {}, input = 0) => {
    const inputs = okOip.map((t, i) =>
      i === input
        ? { ...t, data: undefined, parameters: { binary_data_size: size }, ...fields }
        : t,
    );
    return binaryRequest({ inputs }, [chunk]);
  };
  const lying = (length: string) => ({
    ...bin(24, i64(1, 2, 3)),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': length,
    },
  });
  // [label, body or a binary request]: OIP must answer 400 {"error": "..."}.
  const oipCases: [string, string | ReturnType<typeof binaryRequest>][] = [
    ...['{not json', '', 'null', '[]', '42', '"x"', '{}', '{"inputs":5}', '{"inputs":[null]}'].map(
      (b): [string, string] => [`body ${JSON.stringify(b)}`, b],
    ),
    ['input name not a string', '{"inputs":[{"name":1}]}'],
    ['wrong datatype', ids({ datatype: 'FP32' })],
    ['unknown datatype', ids({ datatype: 'FOO' })],
    ['INT64 given a fraction', ids({ data: [1, 2.5, 3] })],
    ['INT64 beyond 2^53', ids({ data: [2 ** 60, 2, 3] })],
    ['INT64 given a word', ids({ data: ['abc', 2, 3] })],
    ['wrong rank', ids({ shape: [3] })],
    ['fixed dimension mismatch', ids({ shape: [3, 1] })],
    ['negative dimension', ids({ shape: [-1, 3] })],
    ['huge shape, little data', ids({ shape: [1e9, 3] })],
    ['shape missing', ids({ shape: undefined })],
    ['data missing', ids({ data: undefined })],
    ['data a string', ids({ data: 'abc' })],
    ['data too short', ids({ shape: [2, 3] })],
    [
      'ragged data',
      ids({
        shape: [2, 3],
        data: [
          [1, 2, 3],
          [4, 5],
        ],
      }),
    ],
    [
      'unknown input',
      JSON.stringify({
        inputs: [...okOip, { name: 'x', datatype: 'FP32', shape: [1], data: [1] }],
      }),
    ],
    ['missing input', JSON.stringify({ inputs: okOip.slice(1) })],
    ['input twice', JSON.stringify({ inputs: [...okOip, okOip[0]] })],
    ['unknown output', ids({}, { outputs: [{ name: 'nope' }] })],
    ['outputs not an array', ids({}, { outputs: 'ids_shifted' })],
    ['outputs [null]', ids({}, { outputs: [null] })],
    [
      'deeply nested data',
      `{"inputs":[{"name":"ids","datatype":"INT64","shape":[1,3],"data":${deep(10_000)}}]}`,
    ],
    ['binary: header length past the body', lying('100000')],
    ['binary: header length cuts the JSON', lying('10')],
    ['binary: header length not a number', lying('abc')],
    ['binary: header length negative', lying('-1')],
    ['binary: size past the body', bin(48, i64(1, 2, 3))],
    ['binary: bytes nobody claims', bin(16, i64(1, 2, 3))],
    ['binary: not whole INT64s', bin(20, i64(1, 2, 3).subarray(0, 20))],
    ['binary: negative size', bin(-8, i64(1, 2, 3))],
    ['binary: size and data', bin(24, i64(1, 2, 3), { data: [1, 2, 3] })],
    ['binary: count does not match shape', bin(16, i64(1, 2))],
    ['binary: FP32 bytes for INT64', bin(12, Buffer.alloc(12), { datatype: 'FP32' })],
    ['binary: FP16', bin(6, Buffer.alloc(6), { datatype: 'FP16' })],
    ['binary: BYTES length prefix cut short', bin(2, Buffer.alloc(2), {}, 2)],
    ['binary: BYTES element past the data', bin(6, Buffer.from([9, 0, 0, 0, 65, 66]), {}, 2)],
  ];
  const zipmap = JSON.stringify({
    inputs: [{ name: 'float_input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }],
    outputs: [{ name: 'output_probability' }],
  });

  /** Sends every case at once; returns the ones answered wrongly. */
  async function sendAll(): Promise<string[]> {
    const failures: string[] = [];
    const check = async (label: string, res: Response, ok: (body: any) => boolean) => {
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!ok(body) || res.status >= 500)
        failures.push(`${label}: HTTP ${res.status} ${text.slice(0, 300)}`);
    };
    const graphql = (body: string) =>
      fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
        body,
      });
    const badUserInput = (b: any) => b?.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT';
    await Promise.all([
      ...predictCases.map(async ([label, model, inputs]) => {
        const body = JSON.stringify({ query: PREDICT, variables: { input: { model, inputs } } });
        await check(`predict ${label}`, await graphql(body), badUserInput);
      }),
      ...rawGraphql.map(async ([label, body]) => {
        const res = await graphql(body);
        await check(`graphql ${label}`, res, (b) => res.status === 400 || badUserInput(b));
      }),
      ...[...oipCases, ['ZipMap output asked for', zipmap] as const].map(
        async ([label, request]) => {
          const model = label.startsWith('ZipMap') ? 'skl-tree-classifier' : 'multi-io';
          const res =
            typeof request === 'string'
              ? await infer(model, request)
              : await infer(model, request.body, request.headers);
          await check(
            `OIP ${label}`,
            res,
            (b) => res.status === 400 && typeof b?.error === 'string',
          );
        },
      ),
    ]);
    return failures;
  }

  it('answers every malformed predict and OIP request with 400 / BAD_USER_INPUT, then serves normally', async () => {
    expect(await sendAll()).toEqual([]);
    // Twice more, concurrently with real work: nothing may be left wedged.
    const model = byName('torch-cnn');
    const feeds = model.cases[1] as ZooFeeds;
    const [again, , good] = await Promise.all([
      sendAll(),
      sendAll(),
      predict(model, predictInputs(feeds, true)),
    ]);
    expect(again).toEqual([]);
    expect(good.data?.predict.outputs).toEqual(await expectedPredict(model, feeds));
    const started = performance.now();
    const after = await infer(model.name, oipJsonBody(feeds));
    expect(after.status).toBe(200);
    expect(((await after.json()) as { outputs: unknown }).outputs).toEqual(
      await expectedOip(model, feeds),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});

describe('string tensors', () => {
  it('refuses strings with NUL characters rather than letting ONNX Runtime cut them', async () => {
    await api.gql(`mutation { createModel(input: { name: "ident-nul" }) { id } }`);
    const up = await api.upload(
      'ident-nul',
      buildIdentityModel([{ name: 'words', datatype: 'BYTES', shape: [-1] }]),
    );
    expect(up.status).toBe(201);
    const res = await api.gql(`query($i: PredictInput!) { predict(input: $i) { outputs } }`, {
      i: { model: 'ident-nul', inputs: { words: ['x\u0000y'] } },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/NUL/);
    const ok = await api.gql(`query($i: PredictInput!) { predict(input: $i) { outputs } }`, {
      i: { model: 'ident-nul', inputs: { words: ['xy'] } },
    });
    expect(ok.data.predict.outputs).toEqual({ words_out: ['xy'] });
  });
});
