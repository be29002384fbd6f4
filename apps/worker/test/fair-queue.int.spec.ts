import { randomBytes, randomUUID } from 'node:crypto';
import { createDataSource } from '@maas/db';
import { TrainingJobLeaseStore, type LeasedJob } from '@maas/jobs';
import { seedExample } from '@maas/training';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  insertDataset,
  insertWorkspace,
  killAll,
  spawnWorker,
  startHarness,
  startJob,
  waitFor,
  type Harness,
  type WorkerProcess,
} from './worker-harness';

// The fair training queue: which job a free slot takes, across workspaces and workers, read back
// from `training_jobs` rows (started_at/finished_at) as any user of the API would see them.

let h: Harness;
const workers: WorkerProcess[] = [];
const dataset = seedExample(1000);

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await killAll(workers);
});
afterAll(async () => {
  await killAll(workers);
  await h?.close();
});

interface Tenant {
  name: string;
  workspaceId: string;
  modelId: string;
  datasetId: string;
}

async function tenant(name: string, maxConcurrentJobs: number | null = null): Promise<Tenant> {
  const ws = await insertWorkspace(h, maxConcurrentJobs);
  const datasetId = await insertDataset(h, dataset, 'seed', ws.workspaceId);
  return { name, ...ws, datasetId };
}

// A short job: a linear regression on 1000 rows, long enough that slots overlap.
const EPOCHS = 40;

async function enqueue(t: Tenant, startedByKeyId: string | null = null): Promise<string> {
  const { jobId } = await startJob(h, {
    workspaceId: t.workspaceId,
    modelId: t.modelId,
    datasetId: t.datasetId,
    startedByKeyId,
    hyperparameters: { epochs: EPOCHS },
  });
  return jobId;
}

interface Run {
  id: string;
  workspace_id: string;
  status: string;
  created_at: Date;
  started_at: Date;
  finished_at: Date;
}

/** Waits until every job of `tenants` has finished, and returns them in start order. */
async function finishedRuns(tenants: Tenant[], timeoutMs = 60_000): Promise<Run[]> {
  const ids = tenants.map((t) => t.workspaceId);
  return waitFor(
    'every job to finish',
    async () => {
      const rows = await h.ds.query<Run[]>(
        `SELECT id, workspace_id, status, created_at, started_at, finished_at FROM training_jobs
         WHERE workspace_id = ANY($1) ORDER BY started_at, id`,
        [ids],
      );
      return rows.every((r) => r.finished_at !== null) ? rows : undefined;
    },
    timeoutMs,
    100,
  );
}

const nameOf = (tenants: Tenant[], run: Run) =>
  tenants.find((t) => t.workspaceId === run.workspace_id)?.name;

/** The most runs of `runs` in progress at one instant. */
function maxOverlap(runs: Run[]): number {
  const points = runs.flatMap((r) => [
    { at: r.started_at.getTime(), d: 1 },
    { at: r.finished_at.getTime(), d: -1 },
  ]);
  // An end at the same instant as a start frees its slot first.
  points.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const p of points) most = Math.max(most, (now += p.d));
  return most;
}

describe('fair training queue', () => {
  it('a job from workspace B starts within one job slot of a flood from workspace A', async () => {
    const a = await tenant('A');
    const b = await tenant('B');
    workers.push(await spawnWorker(h));
    const flood: string[] = [];
    for (let i = 0; i < 8; i++) flood.push(await enqueue(a));
    const [bEnqueued] = await h.ds.query<{ now: Date }[]>('SELECT now()');
    const bJob = await enqueue(b);

    const runs = await finishedRuns([a, b]);
    expect(runs.map((r) => r.status)).toEqual(Array(9).fill('SUCCEEDED'));
    const bRun = runs.find((r) => r.id === bJob);
    if (!bRun) throw new Error('no run of B');
    // First in, first out would start all 8 of A's jobs first; fair, at most one more A job starts
    // between B's enqueue and B's start (the slot's next pick after the job running then).
    const aStartedMeanwhile = runs.filter(
      (r) =>
        r.workspace_id === a.workspaceId &&
        r.started_at > bEnqueued!.now &&
        r.started_at < bRun.started_at,
    );
    expect(aStartedMeanwhile.length).toBeLessThanOrEqual(1);
    expect(runs.findIndex((r) => r.id === bJob)).toBeLessThanOrEqual(2);
    // Within A, oldest first.
    expect(runs.filter((r) => r.workspace_id === a.workspaceId).map((r) => r.id)).toEqual(flood);
  });

  it("never runs more of a workspace's jobs than its max_concurrent_jobs, across two workers, while another workspace uses the other slots", async () => {
    const a = await tenant('A', 1);
    const b = await tenant('B');
    // Enqueued before any worker runs, so that both workers race for A's jobs from the start.
    for (let i = 0; i < 4; i++) await enqueue(a);
    for (let i = 0; i < 4; i++) await enqueue(b);
    workers.push(
      ...(await Promise.all([
        spawnWorker(h, { MAAS_WORKER_CONCURRENCY: '2' }),
        spawnWorker(h, { MAAS_WORKER_CONCURRENCY: '2' }),
      ])),
    );
    const runs = await finishedRuns([a, b]);
    expect(runs.map((r) => r.status)).toEqual(Array(8).fill('SUCCEEDED'));
    const aRuns = runs.filter((r) => r.workspace_id === a.workspaceId);
    const bRuns = runs.filter((r) => r.workspace_id === b.workspaceId);
    expect(maxOverlap(aRuns)).toBe(1);
    // B is not held up behind A's quota: it ran beside A, on more than one slot at once.
    expect(maxOverlap(bRuns)).toBeGreaterThan(1);
    expect(maxOverlap(runs)).toBeGreaterThan(1);
    const lastAStart = Math.max(...aRuns.map((r) => r.started_at.getTime()));
    for (const r of bRuns) expect(r.started_at.getTime()).toBeLessThan(lastAStart);
    // The job a finishing A job frees starts at once (the poll is 60 s: only a wake-up explains it).
    for (let i = 1; i < aRuns.length; i++) {
      const gap = aRuns[i]!.started_at.getTime() - aRuns[i - 1]!.finished_at.getTime();
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThan(2_000);
    }
  });

  it('serves three workspaces round-robin, oldest job first within each', async () => {
    const tenants = [await tenant('A'), await tenant('B'), await tenant('C')];
    const order: string[] = [];
    for (const t of tenants) for (let i = 0; i < 3; i++) order.push(await enqueue(t));
    workers.push(await spawnWorker(h));
    const runs = await finishedRuns(tenants);
    expect(runs.map((r) => nameOf(tenants, r)).join('')).toBe('ABCABCABC');
    for (const t of tenants) {
      const mine = order.filter((_, i) => Math.floor(i / 3) === tenants.indexOf(t));
      expect(runs.filter((r) => r.workspace_id === t.workspaceId).map((r) => r.id)).toEqual(mine);
    }
  });

  it("adds each attempt's training seconds to usage_counters by workspace, model and key", async () => {
    const a = await tenant('A');
    const other = await tenant('B');
    const keyId = randomUUID();
    await h.ds.query(
      `INSERT INTO api_keys (id, workspace_id, name, role, secret_sha256) VALUES ($1, $2, 'k', 'EDITOR', $3)`,
      [keyId, a.workspaceId, randomBytes(32).toString('hex')],
    );
    const jobs = [await enqueue(a, keyId), await enqueue(a, keyId)];
    workers.push(await spawnWorker(h));
    const runs = await finishedRuns([a]);
    expect(runs.map((r) => r.id).sort()).toEqual([...jobs].sort());
    const expected = runs.reduce(
      (sum, r) => sum + (r.finished_at.getTime() - r.started_at.getTime()) / 1000,
      0,
    );
    expect(expected).toBeGreaterThan(0);
    const counters = await h.ds.query<
      {
        granularity: string;
        workspace_id: string;
        api_key_id: string;
        model_id: string;
        seconds: number;
      }[]
    >(
      `SELECT granularity, workspace_id, api_key_id, model_id, SUM(training_seconds)::float8 AS seconds
         FROM usage_counters WHERE workspace_id = ANY($1)
        GROUP BY granularity, workspace_id, api_key_id, model_id ORDER BY granularity`,
      [[a.workspaceId, other.workspaceId]],
    );
    expect(counters.map((c) => c.granularity)).toEqual(['day', 'hour', 'minute']);
    for (const c of counters) {
      expect(c).toMatchObject({
        workspace_id: a.workspaceId,
        api_key_id: keyId,
        model_id: a.modelId,
      });
      // finished_at and started_at have microseconds; the counter is a float of seconds.
      expect(c.seconds).toBeCloseTo(expected, 2);
    }
  });

  it("lets twelve claims racing on separate connections take no more than a workspace's quota", async () => {
    const a = await tenant('A', 2);
    const b = await tenant('B');
    for (let i = 0; i < 6; i++) await enqueue(a);
    for (let i = 0; i < 3; i++) await enqueue(b);
    const ds = createDataSource(h.db.url, { poolSize: 12, logging: ['error'] });
    await ds.initialize();
    try {
      const store = new TrainingJobLeaseStore(ds, h.queue, 60_000);
      const claimed = (
        await Promise.all(Array.from({ length: 12 }, (_, i) => store.claimNext(`racer-${i}`)))
      ).filter((job): job is LeasedJob => job !== null);
      // Every claimable job is taken, none twice, and A stops at its quota of 2.
      expect(claimed.filter((j) => j.workspaceId === a.workspaceId)).toHaveLength(2);
      expect(claimed.filter((j) => j.workspaceId === b.workspaceId)).toHaveLength(3);
      expect(new Set(claimed.map((j) => j.id)).size).toBe(5);
      const [running] = await h.ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM training_jobs WHERE workspace_id = $1 AND status = 'RUNNING'`,
        [a.workspaceId],
      );
      expect(running!.n).toBe(2);
      // Ending one of A's attempts frees a slot: the next claim takes A's oldest waiting job.
      const first = claimed.find((j) => j.workspaceId === a.workspaceId);
      if (!first) throw new Error('no claim of A');
      expect(await store.fail(first, 'test')).toBe(true);
      const next = await store.claimNext('racer-next');
      expect(next?.workspaceId).toBe(a.workspaceId);
      expect(await store.claimNext('racer-none')).toBeNull();
    } finally {
      // Leave nothing claimable for other tests.
      await h.ds.query(
        `UPDATE training_jobs SET status = 'CANCELLED', finished_at = now(), lease_expires_at = NULL
          WHERE workspace_id = ANY($1) AND status IN ('QUEUED', 'RUNNING')`,
        [[a.workspaceId, b.workspaceId]],
      );
      await ds.destroy();
    }
  });
});
