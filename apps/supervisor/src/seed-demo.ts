import { seedExampleCsv } from '@maas/training';
import { Client } from 'pg';
import { type DemoApi, gql } from './demo-api';
import { seedLanguageModels } from './seed-language-models';

export const DEMO_MODEL = 'demo-linear';

/** The parts of the demo, each seeded once: the trained linear model, the language models. */
export type DemoPart = 'linear' | 'language-models';

/** Each part's marker row in `audit_events` (its `action`). */
const MARKERS: Record<DemoPart, string> = {
  linear: 'demo.seed',
  'language-models': 'demo.seed.language-models',
};

export interface SeedDemoOptions {
  databaseUrl: string;
  /** The API's base URL, e.g. `http://127.0.0.1:4000`. */
  apiUrl: string;
  adminKey: string;
  /** What to seed; default both. `linear` needs a training worker. */
  parts?: readonly DemoPart[];
  log: { info(message: string): void; warn(message: string): void };
  /** How long to wait for the demo's training job. */
  timeoutMs?: number;
}

/**
 * Claims the demo's parts on an empty database: under an advisory lock, when no demo marker
 * exists and there are no models and no datasets, writes one marker per part and returns the
 * parts; else returns none. So the demo is seeded once, even with several supervisors, after a
 * failed seed, or after the demo was deleted.
 */
export async function claimDemoSeed(
  databaseUrl: string,
  parts: readonly DemoPart[],
): Promise<DemoPart[]> {
  if (parts.length === 0) return [];
  const db = new Client({
    connectionString: databaseUrl,
    application_name: 'maas-supervisor-seed',
  });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query("SELECT pg_advisory_xact_lock(hashtext('maas.demo-seed'))");
    const marked = await db.query('SELECT 1 FROM audit_events WHERE action = ANY($1) LIMIT 1', [
      Object.values(MARKERS),
    ]);
    const used = await db.query(
      'SELECT (SELECT count(*) FROM models) + (SELECT count(*) FROM datasets) AS n',
    );
    const ws = await db.query("SELECT id FROM workspaces WHERE name = 'default'");
    const workspaceId = (ws.rows[0] as { id: string } | undefined)?.id;
    if (marked.rowCount || Number((used.rows[0] as { n: string }).n) > 0 || !workspaceId) {
      await db.query('ROLLBACK');
      return [];
    }
    const claimed = [...new Set(parts)];
    for (const part of claimed) {
      await db.query(
        `INSERT INTO audit_events (workspace_id, action, target_type, details) VALUES ($1, $2, 'demo', $3)`,
        [workspaceId, MARKERS[part], JSON.stringify({ part })],
      );
    }
    await db.query('COMMIT');
    return claimed;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }
}

/**
 * On the first start of an empty database, seeds the demo through the public API: the demo
 * language models ({@link seedLanguageModels}) and the seed example (a dataset, a training job,
 * version 1 and alias `production`), so a newcomer's console shows a chat model, an embedding
 * model and a trained model with its loss curve. A part that fails is reported, not retried.
 * Returns the parts it seeded.
 */
export async function seedDemoOnce(options: SeedDemoOptions): Promise<DemoPart[]> {
  const claimed = await claimDemoSeed(
    options.databaseUrl,
    options.parts ?? ['language-models', 'linear'],
  );
  const api: DemoApi = { url: options.apiUrl, key: options.adminKey };
  const seeded: DemoPart[] = [];
  for (const part of claimed) {
    try {
      if (part === 'language-models') await seedLanguageModels(api, options.log);
      else await seedLinearDemo(api, options);
      seeded.push(part);
    } catch (err) {
      options.log.warn(`The demo (${part}) could not be seeded: ${(err as Error).message}`);
    }
  }
  return seeded;
}

/** The seed example y = 3x + noise, trained by the worker and aliased `production`. */
async function seedLinearDemo(api: DemoApi, options: SeedDemoOptions): Promise<void> {
  const { log } = options;
  log.info(`Seeding the demo: model "${DEMO_MODEL}" trained on y = 3x + noise`);
  const { createModel } = await gql<{ createModel: { id: string } }>(
    api,
    `mutation($d: String!) { createModel(input: { name: "${DEMO_MODEL}", task: REGRESSION, description: $d, tags: { demo: true } }) { id } }`,
    {
      d: 'The seed example: y = 3x + noise, x and noise uniform in [0, 1). Trained by linear regression; weight ≈ 3, bias ≈ 0.5.',
    },
  );
  const { createDataset } = await gql<{ createDataset: { id: string } }>(
    api,
    'mutation($c: String!) { createDataset(name: "demo-seed", csv: $c) { id } }',
    { c: seedExampleCsv(1000, 7) },
  );
  const { startTrainingJob } = await gql<{ startTrainingJob: { id: string } }>(
    api,
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
    }>(api, 'query($id: ID!) { trainingJob(id: $id) { status error resultVersion { version } } }', {
      id: startTrainingJob.id,
    });
    if (trainingJob.status === 'SUCCEEDED' && trainingJob.resultVersion) {
      await gql(
        api,
        `mutation($m: ID!, $v: Int!) { setModelAlias(modelId: $m, alias: "production", version: $v) { alias } }`,
        {
          m: createModel.id,
          v: trainingJob.resultVersion.version,
        },
      );
      log.info(
        `Demo ready: "${DEMO_MODEL}" version ${trainingJob.resultVersion.version} is aliased production`,
      );
      return;
    }
    if (trainingJob.status === 'FAILED' || trainingJob.status === 'CANCELLED') {
      throw new Error(`the demo training job ${trainingJob.status}: ${trainingJob.error ?? ''}`);
    }
    if (Date.now() > deadline)
      throw new Error('the demo training job did not finish in time (is a worker running?)');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
