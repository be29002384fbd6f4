import { seedExampleCsv } from '@maas/training';
import { Client } from 'pg';

export const DEMO_MODEL = 'demo-linear';
const MARKER_ACTION = 'demo.seed';

export interface SeedDemoOptions {
  databaseUrl: string;
  graphqlUrl: string;
  adminKey: string;
  log: { info(message: string): void; warn(message: string): void };
  /** How long to wait for the demo's training job. */
  timeoutMs?: number;
}

async function gql<T>(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
  return body.data;
}

/**
 * On the first start of an empty database, runs the seed example once through the public API:
 * a dataset, a training job, version 1 and alias `production`, so a newcomer's console shows a
 * trained model and its loss curve. A marker row in `audit_events` (taken under an advisory
 * lock) makes it run once, even with several supervisors or after the demo was deleted.
 */
export async function seedDemoOnce(options: SeedDemoOptions): Promise<'seeded' | 'skipped'> {
  const db = new Client({
    connectionString: options.databaseUrl,
    application_name: 'maas-supervisor-seed',
  });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query("SELECT pg_advisory_xact_lock(hashtext('maas.demo-seed'))");
    const marked = await db.query('SELECT 1 FROM audit_events WHERE action = $1 LIMIT 1', [
      MARKER_ACTION,
    ]);
    const used = await db.query(
      'SELECT (SELECT count(*) FROM models) + (SELECT count(*) FROM datasets) AS n',
    );
    if (marked.rowCount || Number((used.rows[0] as { n: string }).n) > 0) {
      await db.query('ROLLBACK');
      return 'skipped';
    }
    const ws = await db.query("SELECT id FROM workspaces WHERE name = 'default'");
    const workspaceId = (ws.rows[0] as { id: string } | undefined)?.id;
    if (!workspaceId) {
      await db.query('ROLLBACK');
      return 'skipped';
    }
    await db.query(
      `INSERT INTO audit_events (workspace_id, action, target_type, details) VALUES ($1, $2, 'demo', $3)`,
      [workspaceId, MARKER_ACTION, JSON.stringify({ model: DEMO_MODEL })],
    );
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }

  const { graphqlUrl: url, adminKey: key, log } = options;
  log.info(`Seeding the demo: model "${DEMO_MODEL}" trained on y = 3x + noise`);
  const { createModel } = await gql<{ createModel: { id: string } }>(
    url,
    key,
    `mutation($d: String!) { createModel(input: { name: "${DEMO_MODEL}", task: REGRESSION, description: $d, tags: { demo: true } }) { id } }`,
    {
      d: 'The seed example: y = 3x + noise, x and noise uniform in [0, 1). Trained by linear regression; weight ≈ 3, bias ≈ 0.5.',
    },
  );
  const { createDataset } = await gql<{ createDataset: { id: string } }>(
    url,
    key,
    'mutation($c: String!) { createDataset(name: "demo-seed", csv: $c) { id } }',
    { c: seedExampleCsv(1000, 7) },
  );
  const { startTrainingJob } = await gql<{ startTrainingJob: { id: string } }>(
    url,
    key,
    `mutation($m: ID!, $d: ID!) { startTrainingJob(input: { modelId: $m, datasetId: $d, algorithm: LINEAR_REGRESSION, target: "y" }) { id } }`,
    { m: createModel.id, d: createDataset.id },
  );
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const { trainingJob } = await gql<{
      trainingJob: {
        status: string;
        error: string | null;
        resultVersion: { version: number } | null;
      };
    }>(
      url,
      key,
      'query($id: ID!) { trainingJob(id: $id) { status error resultVersion { version } } }',
      { id: startTrainingJob.id },
    );
    if (trainingJob.status === 'SUCCEEDED' && trainingJob.resultVersion) {
      await gql(
        url,
        key,
        `mutation($m: ID!, $v: Int!) { setModelAlias(modelId: $m, alias: "production", version: $v) { alias } }`,
        {
          m: createModel.id,
          v: trainingJob.resultVersion.version,
        },
      );
      log.info(
        `Demo ready: "${DEMO_MODEL}" version ${trainingJob.resultVersion.version} is aliased production`,
      );
      return 'seeded';
    }
    if (trainingJob.status === 'FAILED' || trainingJob.status === 'CANCELLED') {
      throw new Error(`the demo training job ${trainingJob.status}: ${trainingJob.error ?? ''}`);
    }
    if (Date.now() > deadline)
      throw new Error('the demo training job did not finish in time (is a worker running?)');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
