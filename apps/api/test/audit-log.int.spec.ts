import { buildLinearModel } from '@maas/onnx';
import { seedExampleCsv } from '@maas/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';
import { startWorker } from './worker-process';
import { wsClient } from './ws-client';

const SIGNIN_CAP = 20;
const UPLOAD_LIMIT = 65_536;
const EVENT = `id at action targetType targetId outcome sourceAddress details
  actor { id name revokedAt } workspace { id name }`;
const LIST = `query($f: AuditFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${EVENT} } } } }`;

let api: TestApi;
let wsId: string;
let adminKey: string;
let editorKey: string;
let viewerKey: string;
let otherAdminKey: string;
let otherWsId: string;
const keyIds: Record<string, string> = {};

async function keyId(secret: string): Promise<string> {
  const res = await api.gql(`{ viewer { apiKey { id } } }`, {}, secret);
  return res.data.viewer.apiKey.id;
}

async function list(key: string, f: Record<string, unknown> = {}, first = 100, after?: string) {
  return api.gql(LIST, { f, first, after }, key);
}

async function all(key: string, f: Record<string, unknown> = {}): Promise<any[]> {
  const res = await list(key, f);
  expect(res.errors).toBeUndefined();
  return res.data.auditEvents.edges.map((e: any) => e.node);
}

beforeAll(async () => {
  api = await startTestApi({
    AUDIT_FAILED_SIGNIN_PER_MINUTE: String(SIGNIN_CAP),
    MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT),
    // The sign-in flood below comes through a "proxy" on loopback naming many client addresses,
    // and must reach the sign-in check: the per-address rate limit (rate-limits.int.spec.ts)
    // would refuse most of it first.
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_UNAUTHENTICATED_PER_SECOND: '0',
  });
  const ws = await api.gql(`mutation { createWorkspace(name: "team-a") { id } }`);
  wsId = ws.data.createWorkspace.id;
  const other = await api.gql(`mutation { createWorkspace(name: "team-b") { id } }`);
  otherWsId = other.data.createWorkspace.id;
  adminKey = await api.createKey('ADMIN', wsId);
  editorKey = await api.createKey('EDITOR', wsId);
  viewerKey = await api.createKey('VIEWER', wsId);
  otherAdminKey = await api.createKey('ADMIN', otherWsId);
  keyIds.admin = await keyId(adminKey);
  keyIds.editor = await keyId(editorKey);
  keyIds.root = await keyId(api.adminKey);
});
afterAll(async () => {
  await api?.close();
});

describe('auditEvents', () => {
  it('lists mutations by two keys newest first, with actor, address, action, target and outcome', async () => {
    const m1 = await api.gql(
      `mutation { createModel(input: { name: "fraud", task: REGRESSION }) { id } }`,
      {},
      adminKey,
    );
    const modelId = m1.data.createModel.id as string;
    const up = await api.upload(
      'fraud',
      buildLinearModel({ weights: [[1, 2]], bias: [0] }),
      editorKey,
    );
    expect(up.status).toBe(201);
    const alias = await api.gql(
      `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "prod", version: 1) { alias } }`,
      { m: modelId },
      editorKey,
    );
    expect(alias.errors).toBeUndefined();
    const upd = await api.gql(
      `mutation($m: ID!) { updateModel(id: $m, input: { description: "v2" }) { id } }`,
      { m: modelId },
      adminKey,
    );
    expect(upd.errors).toBeUndefined();

    const rows = (await all(adminKey)).filter(
      (r) => r.action !== 'apiKey.create' && r.action !== 'workspace.create',
    );
    expect(
      rows.map((r) => [
        r.action,
        r.actor?.id,
        r.targetType,
        r.targetId,
        r.outcome,
        r.sourceAddress,
      ]),
    ).toEqual([
      ['model.update', keyIds.admin, 'model', modelId, 'ok', '127.0.0.1'],
      ['alias.set', keyIds.editor, 'model', modelId, 'ok', '127.0.0.1'],
      ['version.upload', keyIds.editor, 'model_version', up.body.id, 'ok', '127.0.0.1'],
      ['model.create', keyIds.admin, 'model', modelId, 'ok', '127.0.0.1'],
    ]);
    expect(rows[1].details).toEqual({ alias: 'prod', version: 1 });
    expect(rows.every((r) => r.workspace.id === wsId)).toBe(true);
    // Newest first, strictly by (at, id).
    for (let i = 1; i < rows.length; i++)
      expect(Date.parse(rows[i - 1].at)).toBeGreaterThanOrEqual(Date.parse(rows[i].at));
    // The keys' creation, by the root key, is in this workspace's log too.
    const created = await all(adminKey, { action: 'apiKey.create' });
    expect(created.length).toBe(3);
    expect(created.every((r) => r.actor.id === keyIds.root)).toBe(true);
  });

  it('is for ADMINs: an EDITOR or VIEWER gets FORBIDDEN', async () => {
    for (const key of [editorKey, viewerKey]) {
      const res = await list(key);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it("shows another workspace's ADMIN none of ours, and refuses it our workspaceId", async () => {
    const theirs = await all(otherAdminKey);
    expect(theirs.every((r) => r.workspace.id === otherWsId)).toBe(true);
    expect(theirs.some((r) => r.action === 'model.create')).toBe(false);
    const res = await list(otherAdminKey, { workspaceId: wsId });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows the root key every workspace, and filter.workspaceId narrows it', async () => {
    const everything = await all(api.adminKey, {});
    const names = new Set(everything.map((r) => r.workspace.name));
    expect([...names].sort()).toEqual(['default', 'team-a', 'team-b']);
    const ours = await all(api.adminKey, { workspaceId: wsId });
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((r) => r.workspace.id === wsId)).toBe(true);
    expect(ours.map((r) => r.id)).toEqual((await all(adminKey)).map((r) => r.id));
    const byActor = await all(api.adminKey, { actorId: keyIds.editor });
    expect(byActor.map((r) => r.action).sort()).toEqual(['alias.set', 'version.upload']);
  });

  it('walks every row exactly once, page by page', async () => {
    const expected = (await all(api.adminKey)).map((r) => r.id);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await list(api.adminKey, {}, 3, after);
      expect(res.errors).toBeUndefined();
      const page = res.data.auditEvents;
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses bad pages and filters with BAD_USER_INPUT', async () => {
    const bad = [
      list(api.adminKey, {}, 0),
      list(api.adminKey, {}, 101),
      list(api.adminKey, { from: '2026-02-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      list(api.adminKey, { actorId: 'not-a-uuid' }),
      list(api.adminKey, { workspaceId: '12' }),
      list(api.adminKey, { outcome: 'maybe' }),
      list(api.adminKey, { action: 'x'.repeat(65) }),
      list(api.adminKey, {}, 10, 'garbage'),
      list(
        api.adminKey,
        {},
        10,
        Buffer.from('["2026-01-01T00:00:00Z","1 OR 1"]').toString('base64url'),
      ),
    ];
    for (const res of await Promise.all(bad))
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
  });

  it('filters by time, outcome, action and target', async () => {
    const rows = await all(adminKey);
    const model = rows.find((r) => r.action === 'model.create');
    const byTarget = await all(adminKey, { targetType: 'model', targetId: model.targetId });
    expect(byTarget.map((r) => r.action)).toEqual(['model.update', 'alias.set', 'model.create']);
    const window = await all(adminKey, { from: model.at, to: model.at, action: 'model.create' });
    expect(window.map((r) => r.id)).toEqual([model.id]);
    const none = await all(adminKey, { to: '2000-01-01T00:00:00Z' });
    expect(none).toEqual([]);
  });

  it('records a refused attempt (a VIEWER creating a model) as forbidden, and nothing else', async () => {
    const before = await api.server.services.db.query(
      `SELECT (SELECT count(*) FROM models) AS models, (SELECT count(*) FROM audit_events) AS events`,
    );
    const res = await api.gql(
      `mutation { createModel(input: { name: "sneaky", task: REGRESSION }) { id } }`,
      {},
      viewerKey,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused = await all(adminKey, { outcome: 'forbidden' });
    expect(refused.length).toBe(1);
    expect(refused[0]).toMatchObject({
      action: 'model.create',
      targetType: 'model',
      outcome: 'forbidden',
      sourceAddress: '127.0.0.1',
      actor: { id: await keyId(viewerKey) },
    });
    const after = await api.server.services.db.query(
      `SELECT (SELECT count(*) FROM models) AS models, (SELECT count(*) FROM audit_events) AS events`,
    );
    expect(after[0].models).toBe(before[0].models);
    expect(Number(after[0].events)).toBe(Number(before[0].events) + 1);
    expect(
      (await api.gql(`{ models { edges { node { name } } } }`, {}, adminKey)).data.models.edges,
    ).toEqual([{ node: { name: 'fraud' } }]);
  });

  it('records a refused REST upload as forbidden', async () => {
    const up = await api.upload(
      'fraud',
      buildLinearModel({ weights: [[1, 2]], bias: [0] }),
      viewerKey,
    );
    expect(up.status).toBe(403);
    const refused = await all(adminKey, { outcome: 'forbidden', action: 'version.upload' });
    expect(refused).toHaveLength(1);
    expect(refused[0].details.route).toBe('POST /v1/models/:name/versions');
  });

  it('records refusals over a limit as quota_exceeded, on GraphQL and REST', async () => {
    const csv = `x,y\n${'1,2\n'.repeat(UPLOAD_LIMIT / 4 + 10)}`;
    const gql = await api.gql(
      `mutation($c: String!) { createDataset(name: "huge", csv: $c) { id } }`,
      { c: csv },
      editorKey,
    );
    expect(gql.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    const rest = await fetch(`${api.url}/v1/datasets?name=huge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editorKey}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(rest.status).toBe(413);
    const rows = await all(adminKey, { outcome: 'quota_exceeded' });
    expect(rows.map((r) => [r.action, r.actor.id, r.details.limit])).toEqual([
      ['dataset.create', keyIds.editor, 'MAX_UPLOAD_BYTES'],
      ['dataset.create', keyIds.editor, 'MAX_UPLOAD_BYTES'],
    ]);
    expect(rows[0].details.route).toBe('POST /v1/datasets');
    expect(rows[1].details.mutation).toBe('createDataset');
    const datasets = await api.gql(`{ datasets { totalCount } }`, {}, adminKey);
    expect(datasets.data.datasets.totalCount).toBe(0);
  });

  it('records a mutation over the WebSocket with its address', async () => {
    const client = wsClient(api.url, adminKey);
    const result = await new Promise<any>((resolve, reject) => {
      client.subscribe(
        { query: `mutation { createModel(input: { name: "over-ws", task: REGRESSION }) { id } }` },
        { next: resolve, error: reject, complete: () => undefined },
      );
    });
    await client.dispose();
    const id = result.data.createModel.id;
    const [row] = await all(adminKey, { targetId: id });
    expect(row).toMatchObject({ action: 'model.create', sourceAddress: '127.0.0.1' });
    expect(row.actor.id).toBe(keyIds.admin);
  });

  it('still names a revoked key as the actor', async () => {
    const res = await api.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
      id: keyIds.editor,
    });
    expect(res.errors).toBeUndefined();
    const rows = await all(adminKey, { actorId: keyIds.editor, outcome: 'ok' });
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.actor.id === keyIds.editor && r.actor.revokedAt)).toBe(true);
  });

  it('loads actors and workspaces in batches, whatever the page size', async () => {
    api.queries.reset();
    await all(api.adminKey);
    const small = api.queries.count;
    expect(small).toBeLessThanOrEqual(6);
  });

  it('samples failed sign-ins: a flood of 500 bad tokens writes at most the sampled rows', async () => {
    const count = async () =>
      Number(
        (
          await api.server.services.db.query(
            `SELECT count(*) AS n FROM audit_events WHERE action = 'auth.signIn'`,
          )
        )[0].n,
      );
    const before = await count();
    const secret = 'maas_bogus_secret_that_must_not_be_stored';
    // From one address: one row a minute.
    for (let batch = 0; batch < 5; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${api.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
            body: '{"query":"{ viewer { isRoot } }"}',
          }).then((r) => r.status),
        ),
      );
      expect(answers.every((s) => s === 401)).toBe(true);
    }
    // From many (forwarded) addresses: at most AUDIT_FAILED_SIGNIN_PER_MINUTE a minute in all.
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${api.url}/v1/datasets?name=x`, {
            method: 'POST',
            headers: { authorization: `Bearer ${secret}`, 'x-forwarded-for': `10.0.${batch}.${i}` },
            body: 'a,b\n1,2\n',
          }).then((r) => expect(r.status).toBe(401)),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 300)); // the rows are written off the request path
    const written = (await count()) - before;
    // A minute boundary during the flood may let a second minute's rows in.
    expect(written).toBeGreaterThanOrEqual(SIGNIN_CAP);
    expect(written).toBeLessThanOrEqual(2 * SIGNIN_CAP);
    const rows = await all(api.adminKey, { action: 'auth.signIn' });
    expect(rows.every((r) => r.outcome === 'failed' && r.actor === null)).toBe(true);
    expect(rows.every((r) => r.workspace.name === 'default')).toBe(true);
    expect(rows.filter((r) => r.sourceAddress === '127.0.0.1').length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(rows)).not.toContain('bogus');
    // A workspace ADMIN does not see the platform's sign-in failures.
    expect(await all(adminKey, { action: 'auth.signIn' })).toEqual([]);
  });

  it('records root-key rotation (actor: the platform)', async () => {
    const auth = api.server.services.auth;
    await auth.ensureRootKey(`${api.adminKey}-rotated`);
    expect((await api.gql(`{ viewer { isRoot } }`)).status).toBe(401);
    await auth.ensureRootKey(api.adminKey);
    const rows = await all(api.adminKey, { action: 'apiKey.rotate' });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      actor: null,
      sourceAddress: null,
      targetId: keyIds.root,
      outcome: 'ok',
      workspace: { name: 'default' },
    });
  });

  it('is append-only in the database: UPDATE and DELETE are refused', async () => {
    const db = api.server.services.db;
    await expect(db.query(`UPDATE audit_events SET action = 'forged'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    const left = await db.query(`SELECT count(*) AS n FROM audit_events WHERE action = 'forged'`);
    expect(Number(left[0].n)).toBe(0);
  });
});

describe('versions made by training jobs', () => {
  it('are recorded as version.train, by the key that started the job', async () => {
    const worker = startWorker(api.server.services.config.DATABASE_URL);
    try {
      const model = await api.gql(
        `mutation { createModel(input: { name: "trained", task: REGRESSION }) { id } }`,
        {},
        adminKey,
      );
      const ds = await api.gql(
        `mutation($c: String!) { createDataset(name: "seed", csv: $c) { id } }`,
        { c: seedExampleCsv(200, 1) },
        adminKey,
      );
      const job = await api.gql(
        `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
        {
          i: {
            modelId: model.data.createModel.id,
            datasetId: ds.data.createDataset.id,
            algorithm: 'LINEAR_REGRESSION',
            target: 'y',
            hyperparameters: { epochs: 2 },
          },
        },
        adminKey,
      );
      expect(job.errors).toBeUndefined();
      const jobId = job.data.startTrainingJob.id as string;
      let versionId: string | null = null;
      for (let i = 0; i < 300 && !versionId; i++) {
        const res = await api.gql(
          `query($id: ID!) { trainingJob(id: $id) { status error resultVersion { id } } }`,
          { id: jobId },
          adminKey,
        );
        const j = res.data.trainingJob;
        if (j.status === 'FAILED') throw new Error(j.error);
        versionId = j.resultVersion?.id ?? null;
        if (!versionId) await new Promise((r) => setTimeout(r, 200));
      }
      expect(versionId).not.toBeNull();
      const rows = await all(adminKey, { action: 'version.train' });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        targetType: 'model_version',
        targetId: versionId,
        outcome: 'ok',
        sourceAddress: null,
        actor: { id: keyIds.admin },
      });
      expect(rows[0].details).toMatchObject({ trainingJobId: jobId, version: 1 });
    } finally {
      await worker.stop();
    }
  }, 90_000);
});
