import { buildLinearModel, GraphBuilder } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

const CREATE = `mutation($input: CreateModelInput!) { createModel(input: $input) { id name description task tags createdAt } }`;
const linear = (w: number, b: number) => buildLinearModel({ weights: [[w, 2 * w]], bias: [b] });

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ MAX_UPLOAD_BYTES: '65536' });
});
afterAll(async () => {
  await api?.close();
});

async function createModel(name: string, extra: Record<string, unknown> = {}) {
  const res = await api.gql(CREATE, { input: { name, ...extra } });
  expect(res.errors).toBeUndefined();
  return res.data.createModel as { id: string; name: string };
}

describe('models', () => {
  it('creates, reads by id and by name, updates and deletes a model', async () => {
    const created = await createModel('fraud-detector', {
      description: 'first',
      task: 'REGRESSION',
      tags: { team: 'risk' },
    });
    const byName = await api.gql(`{ model(name: "fraud-detector") { id description task tags } }`);
    expect(byName.data.model).toEqual({
      id: created.id,
      description: 'first',
      task: 'REGRESSION',
      tags: { team: 'risk' },
    });
    const byId = await api.gql(`query($id: ID) { model(id: $id) { name } }`, { id: created.id });
    expect(byId.data.model.name).toBe('fraud-detector');

    const updated = await api.gql(
      `mutation($id: ID!) { updateModel(id: $id, input: { description: "second", tags: { v: 2 } }) { description task tags } }`,
      { id: created.id },
    );
    expect(updated.data.updateModel).toEqual({
      description: 'second',
      task: 'REGRESSION',
      tags: { v: 2 },
    });

    const deleted = await api.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, {
      id: created.id,
    });
    expect(deleted.data.deleteModel).toBe(true);
    const gone = await api.gql(`{ model(name: "fraud-detector") { id } }`);
    expect(gone.data.model).toBeNull();
  });

  it('refuses a duplicate name with CONFLICT and an invalid name with BAD_USER_INPUT, changing nothing', async () => {
    await createModel('dup-model');
    const dup = await api.gql(CREATE, { input: { name: 'dup-model' } });
    expect(dup.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(dup.errors?.[0]?.message).toMatch(/already exists/);
    for (const bad of ['Bad Name', '', '-leading', 'x'.repeat(64), 'ünïcode']) {
      const res = await api.gql(CREATE, { input: { name: bad } });
      expect(res.errors?.[0]?.extensions?.code, bad).toBe('BAD_USER_INPUT');
    }
    const badTags = await api.gql(CREATE, { input: { name: 'tags-model', tags: [1, 2] } });
    expect(badTags.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const count = await api.gql(`{ models(filter: { search: "tags-model" }) { totalCount } }`);
    expect(count.data.models.totalCount).toBe(0);
  });

  it('answers NOT_FOUND for unknown ids and BAD_USER_INPUT for malformed ids or both id and name', async () => {
    const unknown = await api.gql(
      `mutation { deleteModel(id: "00000000-0000-4000-8000-000000000000") }`,
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const malformed = await api.gql(`mutation { deleteModel(id: "not-a-uuid") }`);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const both = await api.gql(
      `{ model(id: "00000000-0000-4000-8000-000000000000", name: "x") { id } }`,
    );
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const none = await api.gql(`{ model { id } }`);
    expect(none.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages through models newest first with opaque cursors, and searches by name', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `page-model-${i}`);
    for (const n of names) await createModel(n);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await api.gql(
        `query($after: String) { models(first: 3, after: $after, filter: { search: "page-model" }) { totalCount edges { node { name } cursor } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(res.data.models.totalCount).toBe(7);
      seen.push(...res.data.models.edges.map((e: any) => e.node.name));
      if (!res.data.models.pageInfo.hasNextPage) break;
      after = res.data.models.pageInfo.endCursor;
    }
    expect(seen).toEqual([...names].reverse());
    for (const first of [0, 101, -1]) {
      const res = await api.gql(`query($f: Int) { models(first: $f) { totalCount } }`, {
        f: first,
      });
      expect(res.errors?.[0]?.extensions?.code, String(first)).toBe('BAD_USER_INPUT');
    }
    const badCursor = await api.gql(`{ models(after: "garbage") { totalCount } }`);
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('versions and uploads', () => {
  it('uploads two ONNX versions, reads their signatures and downloads the same bytes', async () => {
    const model = await createModel('linear');
    const v1Bytes = linear(3, 0.5);
    const v1 = await api.upload('linear', v1Bytes);
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ version: 1, sizeBytes: v1Bytes.byteLength });
    expect(v1.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.body.signature.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 2] }]);
    expect(v1.body.signature.outputs).toEqual([
      { name: 'output', datatype: 'FP32', shape: [-1, 1] },
    ]);
    const v2 = await api.upload('linear', linear(4, 1));
    expect(v2.body.version).toBe(2);

    const res = await api.gql(
      `query($id: ID) { model(id: $id) { latestVersion { version source signature { inputs { name datatype shape } } } versions { totalCount edges { node { version sha256 sizeBytes model { name } } } } } }`,
      { id: model.id },
    );
    expect(res.data.model.latestVersion).toMatchObject({ version: 2, source: 'UPLOAD' });
    expect(res.data.model.versions.edges.map((e: any) => e.node.version)).toEqual([2, 1]);
    expect(res.data.model.versions.edges[1].node.model.name).toBe('linear');

    const download = await fetch(`${api.url}/v1/models/linear/versions/1/artifact`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(v1Bytes))).toBe(true);
    const missing = await fetch(`${api.url}/v1/models/linear/versions/9/artifact`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(missing.status).toBe(404);
  });

  it('refuses what is not a runnable ONNX model with 400 and a reason, unknown models with 404, big bodies with 413', async () => {
    await createModel('refusals');
    const garbage = await api.upload(
      'refusals',
      new TextEncoder().encode('this is not an onnx file at all'),
    );
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toMatch(/ONNX/);
    const empty = await api.upload('refusals', new Uint8Array());
    expect(empty.status).toBe(400);
    const unknown = await api.upload('no-such-model', linear(1, 1));
    expect(unknown.status).toBe(404);
    const big = await api.upload('refusals', new Uint8Array(70_000));
    expect(big.status).toBe(413);
    const versions = await api.gql(`{ model(name: "refusals") { versions { totalCount } } }`);
    expect(versions.data.model.versions.totalCount).toBe(0);
  });

  it("keeps ONNX Runtime's reason for an unloadable model but never the server's file paths", async () => {
    await createModel('custom-op');
    // Well-formed ONNX that ONNX Runtime cannot load: an operator from a domain it does not know.
    const bytes = new GraphBuilder({ extraOpsets: [{ domain: 'com.example.custom', version: 1 }] })
      .addInput('x', 'FP32', [-1, 1])
      .addOutput('y', 'FP32', [-1, 1])
      .addNode('Frobnicate', ['x'], ['y'], {}, { domain: 'com.example.custom' })
      .toBytes();
    const res = await api.upload('custom-op', bytes);
    expect(res.status).toBe(400);
    const message = String(res.body.error);
    expect(message).toMatch(/^ONNX Runtime cannot load this model: /);
    expect(message).toMatch(/Frobnicate|com\.example\.custom/);
    expect(message).not.toMatch(/maas-upload|\/tmp|\/root|\/work/);
    const versions = await api.gql(`{ model(name: "custom-op") { versions { totalCount } } }`);
    expect(versions.data.model.versions.totalCount).toBe(0);
  });

  it('gives concurrent uploads distinct numbers and never reuses a deleted number', async () => {
    await createModel('busy');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.upload('busy', linear(i + 1, 0))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const top = results.find((r) => r.body.version === 6);
    const del = await api.gql(`mutation($id: ID!) { deleteModelVersion(id: $id) }`, {
      id: top?.body.id,
    });
    expect(del.data.deleteModelVersion).toBe(true);
    const next = await api.upload('busy', linear(9, 9));
    expect(next.body.version).toBe(7);
  });

  it('shares one artifact between versions with identical bytes', async () => {
    await createModel('twins');
    const bytes = linear(2, 2);
    const a = await api.upload('twins', bytes);
    const b = await api.upload('twins', bytes);
    expect(b.body.version).toBe(2);
    expect(b.body.sha256).toBe(a.body.sha256);
    const rows = await api.server.services.db.query(
      'SELECT ref_count FROM artifacts WHERE sha256 = $1',
      [a.body.sha256],
    );
    expect(rows[0].ref_count).toBe(2);
  });
});

describe('aliases', () => {
  it('sets production to version 1, moves it, and protects aliased versions from deletion', async () => {
    const model = await createModel('aliased');
    const v1 = await api.upload('aliased', linear(1, 0));
    await api.upload('aliased', linear(2, 0));
    const set = await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "production", version: 1) { alias version { version } } }`,
      { m: model.id },
    );
    expect(set.data.setModelAlias).toEqual({ alias: 'production', version: { version: 1 } });
    const blocked = await api.gql(`mutation($id: ID!) { deleteModelVersion(id: $id) }`, {
      id: v1.body.id,
    });
    expect(blocked.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const moved = await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "production", version: 2) { version { version } } }`,
      { m: model.id },
    );
    expect(moved.data.setModelAlias.version.version).toBe(2);
    const aliases = await api.gql(
      `{ model(name: "aliased") { aliases { alias version { version } } } }`,
    );
    expect(aliases.data.model.aliases).toEqual([{ alias: 'production', version: { version: 2 } }]);
    const missing = await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "staging", version: 9) { alias } }`,
      { m: model.id },
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badAlias = await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "Not Valid", version: 1) { alias } }`,
      { m: model.id },
    );
    expect(badAlias.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const removed = await api.gql(
      `mutation($m: ID!) { deleteModelAlias(modelId: $m, alias: "production") }`,
      { m: model.id },
    );
    expect(removed.data.deleteModelAlias).toBe(true);
    const nowFree = await api.gql(`mutation($id: ID!) { deleteModelVersion(id: $id) }`, {
      id: v1.body.id,
    });
    expect(nowFree.data.deleteModelVersion).toBe(true);
  });
});

describe('batch loading', () => {
  it('lists 50 models with latest version and aliases in a small, fixed number of SQL queries', async () => {
    for (let i = 0; i < 50; i++) {
      const m = await createModel(`bulk-${String(i).padStart(2, '0')}`);
      if (i % 5 === 0) {
        await api.upload(m.name, linear(i, 1));
        await api.gql(
          `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "production", version: 1) { alias } }`,
          { m: m.id },
        );
      }
    }
    const query = `{ models(first: 50, filter: { search: "bulk-" }) { totalCount edges { node { name latestVersion { version signature { inputs { name } } } aliases { alias version { version } } } } } }`;
    await api.gql(query); // warm the key cache
    api.queries.reset();
    const res = await api.gql(query);
    const count = api.queries.count;
    expect(res.data.models.edges).toHaveLength(50);
    expect(res.data.models.edges.filter((e: any) => e.node.latestVersion).length).toBe(10);
    // count, page, latest versions, aliases (their versions are primed or batched): never one per model.
    expect(count).toBeLessThanOrEqual(5);
    console.log(`listing 50 models with latest version and aliases: ${count} SQL queries`);
  });
});
