import { buildLinearModel } from '@maas/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { collect, wsClient } from './ws-client';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a key or with an unknown one', async () => {
    const none = await api.gql('{ viewer { role } }', {}, null);
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await api.gql(
      '{ viewer { role } }',
      {},
      'maas_00000000-0000-4000-8000-000000000000_nope',
    );
    expect(wrong.status).toBe(401);
    const rest = await fetch(`${api.url}/v1/models/x/versions`, { method: 'POST', body: 'x' });
    expect(rest.status).toBe(401);
  });

  it('tells the root key who it is', async () => {
    const res = await api.gql('{ viewer { role isRoot workspace { name } apiKey { name role } } }');
    expect(res.data.viewer).toEqual({
      role: 'ADMIN',
      isRoot: true,
      workspace: { name: 'default' },
      apiKey: { name: 'root', role: 'ADMIN' },
    });
  });

  it('issues maas_<id>_<secret> keys stored only as a SHA-256 hash, and revokes them at once', async () => {
    const created = await api.gql(
      `mutation { createApiKey(name: "ci", role: EDITOR) { secret apiKey { id name role revokedAt } } }`,
    );
    const { secret, apiKey } = created.data.createApiKey;
    expect(secret).toMatch(new RegExp(`^maas_${apiKey.id}_[A-Za-z0-9_-]{20,}$`));
    const rows = await api.server.services.db.query(
      'SELECT secret_sha256 FROM api_keys WHERE id = $1',
      [apiKey.id],
    );
    expect(rows[0].secret_sha256).not.toContain(secret.slice(-10));
    expect(rows[0].secret_sha256).toMatch(/^[0-9a-f]{64}$/);

    const me = await api.gql('{ viewer { role isRoot } }', {}, secret);
    expect(me.data.viewer).toEqual({ role: 'EDITOR', isRoot: false });
    const revoked = await api.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, {
      id: apiKey.id,
    });
    expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy();
    const after = await api.gql('{ viewer { role } }', {}, secret);
    expect(after.status).toBe(401);

    const keys = await api.gql('{ apiKeys { name role revokedAt } }');
    expect(keys.data.apiKeys.map((k: any) => k.name)).toEqual(['ci', 'root']);
  });

  it('lets a VIEWER read but not mutate (FORBIDDEN), and an EDITOR not manage keys', async () => {
    const viewer = await api.createKey('VIEWER');
    const read = await api.gql('{ models { totalCount } }', {}, viewer);
    expect(read.errors).toBeUndefined();
    const write = await api.gql(
      `mutation { createModel(input: { name: "viewer-made" }) { id } }`,
      {},
      viewer,
    );
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const upload = await api.upload(
      'viewer-made',
      buildLinearModel({ weights: [[1]], bias: [0] }),
      viewer,
    );
    expect(upload.status).toBe(403);
    const editor = await api.createKey('EDITOR');
    const keys = await api.gql('{ apiKeys { name } }', {}, editor);
    expect(keys.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const ws = await api.gql(
      `mutation { createWorkspace(name: "nope") { id } }`,
      {},
      await api.createKey('ADMIN'),
    );
    expect(ws.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('tenancy', () => {
  it("never shows one workspace's models, versions or artifacts to another's keys", async () => {
    const a = await api.gql(`mutation { createWorkspace(name: "team-a") { id } }`);
    const b = await api.gql(`mutation { createWorkspace(name: "team-b") { id } }`);
    const dupe = await api.gql(`mutation { createWorkspace(name: "team-a") { id } }`);
    expect(dupe.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const keyA = await api.createKey('ADMIN', a.data.createWorkspace.id);
    const keyB = await api.createKey('ADMIN', b.data.createWorkspace.id);

    const made = await api.gql(
      `mutation { createModel(input: { name: "secret-model" }) { id } }`,
      {},
      keyA,
    );
    const modelId = made.data.createModel.id;
    const up = await api.upload(
      'secret-model',
      buildLinearModel({ weights: [[1]], bias: [0] }),
      keyA,
    );
    expect(up.status).toBe(201);

    // The same name is free in the other workspace.
    const same = await api.gql(
      `mutation { createModel(input: { name: "secret-model" }) { id } }`,
      {},
      keyB,
    );
    expect(same.errors).toBeUndefined();
    const otherId = same.data.createModel.id;

    const list = await api.gql('{ models { edges { node { id } } } }', {}, keyB);
    expect(list.data.models.edges.map((e: any) => e.node.id)).toEqual([otherId]);
    const byId = await api.gql('query($id: ID) { model(id: $id) { id } }', { id: modelId }, keyB);
    expect(byId.data.model).toBeNull();
    const version = await api.gql(
      'query($id: ID!) { modelVersion(id: $id) { id } }',
      { id: up.body.id },
      keyB,
    );
    expect(version.data.modelVersion).toBeNull();
    const del = await api.gql('mutation($id: ID!) { deleteModel(id: $id) }', { id: modelId }, keyB);
    expect(del.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const artifact = await fetch(`${api.url}/v1/models/secret-model/versions/1/artifact`, {
      headers: { authorization: `Bearer ${keyB}` },
    });
    expect(artifact.status).toBe(404);
    const listWs = await api.gql('{ workspaces { name } }', {}, keyA);
    expect(listWs.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const rootWs = await api.gql('{ workspaces { name } }');
    expect(rootWs.data.workspaces.map((w: any) => w.name)).toEqual(['default', 'team-a', 'team-b']);
  });
});

describe('limits and transport', () => {
  it('refuses queries deeper than MAX_QUERY_DEPTH and more complex than MAX_QUERY_COMPLEXITY with BAD_USER_INPUT', async () => {
    const deep = `{ models { edges { node { latestVersion { model { latestVersion { model { latestVersion { model { latestVersion { model { latestVersion { id } } } } } } } } } } } } }`; // depth 13
    const res = await api.gql(deep);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/depth/);
    const wide = `{ models(first: 100) { edges { node { versions(first: 100) { edges { node { id sha256 } } } } } } }`;
    const complex = await api.gql(wide);
    expect(complex.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(complex.errors?.[0]?.message).toMatch(/complexity/);
  });

  it('lets GET queries with a bearer token through CSRF prevention, and refuses them without one', async () => {
    const ok = await fetch(
      `${api.url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`,
      {
        headers: { authorization: `Bearer ${api.adminKey}` },
      },
    );
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.viewer.role).toBe('ADMIN');
  });

  it('maps syntax errors to BAD_USER_INPUT without stack traces', async () => {
    const res = await api.gql('{ models { ');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at .*\.js/);
  });

  it('refuses GraphQL bodies over MAX_GRAPHQL_BODY_BYTES with 413', async () => {
    const small = await startTestApi({ MAX_GRAPHQL_BODY_BYTES: '2048' });
    try {
      const res = await small.gql(`{ viewer { role } } # ${'x'.repeat(4096)}`);
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('serves /healthz to anyone and /metrics to the root key only', async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const anonymous = await fetch(`${api.url}/metrics`);
    expect(anonymous.status).toBe(401);
    const admin = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${await api.createKey('ADMIN')}` },
    });
    expect(admin.status).toBe(403);
    const root = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(root.status).toBe(200);
    const text = await root.text();
    expect(text).toMatch(
      /maas_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/,
    );
    expect(text).toMatch(/maas_http_request_duration_seconds_bucket/);
  });
});

describe('GraphQL over WebSocket', () => {
  it('authenticates the connection from connection_init and refuses it without a key', async () => {
    const client = wsClient(api.url, api.adminKey);
    const ok = collect(client, '{ viewer { role } }');
    await ok.done;
    expect(ok.results).toEqual([{ viewer: { role: 'ADMIN' } }]);
    await client.dispose();

    const anonymous = wsClient(api.url, null);
    const refused = collect(anonymous, '{ viewer { role } }');
    await expect(refused.done).rejects.toBeDefined();
    await anonymous.dispose();
  });
});
