// Attack tests for model uploads against the real API process: a large file made of one huge
// packed int64 initializer (which a full protobuf decode turns into an object per element), and
// oversized metadata_props. Each ends by checking the service still serves.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildLinearModel, writePaddedModelFile } from '@maas/onnx';
import { expectStillServing, startApiProcess, type ApiProcess } from './api-process';

let api: ApiProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maas-upload-limits-'));
  api = await startApiProcess({ MAX_UPLOAD_BYTES: String(256 * 1024 * 1024) });
});

afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function createModel(name: string): Promise<void> {
  const res = await api.gql(
    `mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION }) { id } }`,
    { n: name },
  );
  expect(res.errors).toBeUndefined();
}

/** Streams a file from disk as the upload body (the test never holds it in memory). */
function uploadFile(modelName: string, file: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}/v1/models/${modelName}/versions`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          authorization: `Bearer ${api.adminKey}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

async function versionCount(name: string): Promise<number> {
  const res = await api.gql(`{ model(name: "${name}") { versions { totalCount } } }`);
  return res.data.model.versions.totalCount;
}

describe('model uploads', () => {
  it('reads the signature of a 120 MB model with a huge int64 initializer without the API growing by the file size', async () => {
    await createModel('padded');
    const file = path.join(dir, 'padded.onnx');
    // 12M packed int64 values of 10 bytes each: a full protobufjs decode makes 12M Long objects
    // (about 5 bytes of heap per file byte, plus the file as one Buffer).
    const size = writePaddedModelFile(file, { elements: 12_000_000, valueBytes: 10 });
    expect(size).toBeGreaterThan(120_000_000);

    const baseline = api.rssBytes();
    let peak = baseline;
    const sampler = setInterval(() => {
      if (api.alive()) peak = Math.max(peak, api.rssBytes());
    }, 20);
    const started = Date.now();
    let res: { status: number; body: any };
    try {
      res = await uploadFile('padded', file);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, api.rssBytes());

    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.sizeBytes).toBe(size);
    expect(res.body.signature.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    expect(res.body.signature.outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [-1, 2] }]);
    expect(Date.now() - started).toBeLessThan(20_000);
    // What growth remains is ONNX Runtime's own validation load (about 0.8× for this file).
    expect(peak - baseline).toBeLessThan(1.5 * size);
    await expectStillServing(api);
  });

  it('refuses metadata_props over MAX_MODEL_METADATA_BYTES or MAX_MODEL_METADATA_ENTRIES with 400 BAD_USER_INPUT, storing nothing', async () => {
    await createModel('chatty');
    const huge = buildLinearModel({
      weights: [[1]],
      bias: [0],
      metadata: { notes: 'x'.repeat(1_048_576) },
    });
    const bytes = await api.upload('chatty', huge);
    expect(bytes.status).toBe(400);
    expect(bytes.body.code).toBe('BAD_USER_INPUT');
    expect(bytes.body.error).toBe(
      "The model's metadata_props keys and values take more than MAX_MODEL_METADATA_BYTES (1048576 bytes)",
    );

    const many = buildLinearModel({
      weights: [[1]],
      bias: [0],
      metadata: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 'v'])),
    });
    const entries = await api.upload('chatty', many);
    expect(entries.status).toBe(400);
    expect(entries.body).toEqual({
      code: 'BAD_USER_INPUT',
      error: "The model's metadata_props has more than MAX_MODEL_METADATA_ENTRIES (1000) entries",
    });
    expect(await versionCount('chatty')).toBe(0);

    // Just under both limits is accepted.
    const fits = buildLinearModel({
      weights: [[1]],
      bias: [0],
      metadata: { notes: 'x'.repeat(1_048_576 - 'notes'.length) },
    });
    const ok = await api.upload('chatty', fits);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.signature.metadata.notes).toHaveLength(1_048_571);
    expect(await versionCount('chatty')).toBe(1);
    await expectStillServing(api);
  });
});
