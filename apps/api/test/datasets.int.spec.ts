import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ MAX_UPLOAD_BYTES: '100000' });
});
afterAll(async () => {
  await api?.close();
});

const postCsv = async (name: string, csv: string | Uint8Array, key = api.adminKey) => {
  const res = await fetch(`${api.url}/v1/datasets?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('datasets', () => {
  it('uploads a CSV, infers column types and stats, previews rows and lists it', async () => {
    const rows = ['x,color,ok,y'];
    for (let i = 0; i < 50; i++)
      rows.push(
        `${i / 10},${['red', 'green', 'blue'][i % 3]},${i % 2 === 0},${i === 7 ? '' : 3 * (i / 10) + 0.5}`,
      );
    const res = await postCsv('seed', rows.join('\n'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'seed', rowCount: 50 });
    const byName = Object.fromEntries(res.body.columns.map((c: any) => [c.name, c]));
    expect(byName.x).toMatchObject({
      type: 'numeric',
      nullCount: 0,
      min: 0,
      max: 4.9,
      distinct: 50,
    });
    expect(byName.x.mean).toBeCloseTo(2.45, 9);
    expect(byName.color).toMatchObject({ type: 'categorical', distinct: 3 });
    expect(byName.ok).toMatchObject({ type: 'boolean' });
    expect(byName.y).toMatchObject({ type: 'numeric', nullCount: 1 });

    const q = await api.gql(
      `query($id: ID!) { dataset(id: $id) { name rowCount sizeBytes preview(limit: 2) } }`,
      { id: res.body.id },
    );
    expect(q.data.dataset.preview).toEqual([
      { x: 0, color: 'red', ok: true, y: 0.5 },
      { x: 0.1, color: 'green', ok: false, y: 0.8 },
    ]);
    const long = await api.gql(`query($id: ID!) { dataset(id: $id) { preview(limit: 30) } }`, {
      id: res.body.id,
    });
    expect(long.data.dataset.preview).toHaveLength(30);
    expect(long.data.dataset.preview[29]).toMatchObject({ x: 2.9 });
    const list = await api.gql(`{ datasets(first: 5) { totalCount edges { node { name } } } }`);
    expect(list.data.datasets.edges[0].node.name).toBe('seed');
  });

  it('creates small datasets inline through GraphQL', async () => {
    const res = await api.gql(
      `mutation { createDataset(name: "inline", csv: "a,b\\n1,2\\n3,4\\n") { name rowCount columns { name type mean } } }`,
    );
    expect(res.data.createDataset).toEqual({
      name: 'inline',
      rowCount: 2,
      columns: [
        { name: 'a', type: 'numeric', mean: 2 },
        { name: 'b', type: 'numeric', mean: 3 },
      ],
    });
  });

  it('refuses bad CSVs with 400 naming the line or column, and changes nothing', async () => {
    const before = await api.gql(`{ datasets { totalCount } }`);
    const ragged = await postCsv('bad', 'a,b\n1,2\n3\n');
    expect(ragged.status).toBe(400);
    expect(ragged.body.error).toMatch(/line 3/);
    expect((await postCsv('bad', '')).status).toBe(400);
    const headerOnly = await postCsv('bad', 'a,b\n');
    expect(headerOnly.status).toBe(400);
    const emptyColumn = await postCsv('bad', 'a,b\n1,\n2,\n');
    expect(emptyColumn.status).toBe(400);
    expect(emptyColumn.body.error).toMatch(/"?b"?/);
    const tooBig = await postCsv('big', `a\n${'1\n'.repeat(60_000)}`);
    expect(tooBig.status).toBe(413);
    const noName = await fetch(`${api.url}/v1/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminKey}` },
      body: 'a\n1\n',
    });
    expect(noName.status).toBe(400);
    const inline = await api.gql(
      `mutation { createDataset(name: "bad", csv: "a,b\\n1,2,3\\n") { id } }`,
    );
    expect(inline.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await api.gql(`{ datasets { totalCount } }`);
    expect(after.data.datasets.totalCount).toBe(before.data.datasets.totalCount);
  });

  it('soft-deletes a dataset: gone from the list, still readable by id, its files released', async () => {
    const res = await postCsv('to-delete', 'a,b\n1,2\n3,4\n');
    const del = await api.gql(`mutation($id: ID!) { deleteDataset(id: $id) }`, { id: res.body.id });
    expect(del.data.deleteDataset).toBe(true);
    const byId = await api.gql(`query($id: ID!) { dataset(id: $id) { name deletedAt } }`, {
      id: res.body.id,
    });
    expect(byId.data.dataset.deletedAt).toBeTruthy();
    const list = await api.gql(`{ datasets(first: 100) { edges { node { id } } } }`);
    expect(list.data.datasets.edges.map((e: any) => e.node.id)).not.toContain(res.body.id);
    const again = await api.gql(`mutation($id: ID!) { deleteDataset(id: $id) }`, {
      id: res.body.id,
    });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const viewer = await api.createKey('VIEWER');
    const denied = await postCsv('viewer-data', 'a\n1\n', viewer);
    expect(denied.status).toBe(403);
  });
});
