// Test harness of the worker's integration tests: a migrated database, the artifact store and the
// queue as the API uses them, seed rows, and real worker processes (dist/main.js).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import {
  acquireArtifact,
  createArtifactStore,
  createDataSource,
  EventBus,
  type AlgorithmName,
  type ArtifactStore,
} from '@maas/db';
import {
  createJobQueue,
  insertTrainingJob,
  subscribeTrainingJobEvents,
  type JobQueue,
  type TrainingJobEvent,
} from '@maas/jobs';
import { encodeColumns, type ColumnarDataset } from '@maas/training';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@maas/testing';

const WORKER_MAIN = path.join(__dirname, '..', 'dist', 'main.js');

/** Short leases so crash recovery is tested in seconds; a long poll so only NOTIFY can explain a fast pickup. */
export const TEST_WORKER_ENV = {
  MAAS_LEASE_MS: '2000',
  MAAS_LEASE_RENEW_MS: '400',
  MAAS_REAP_INTERVAL_MS: '400',
  MAAS_QUEUE_POLL_MS: '60000',
  MAAS_CHECKPOINT_EVERY_EPOCHS: '5',
  MAAS_CHECKPOINT_MIN_INTERVAL_MS: '0',
  SHUTDOWN_TIMEOUT_MS: '8000',
  LOG_LEVEL: 'info',
};

export interface Harness {
  db: TestDatabase;
  ds: DataSource;
  store: ArtifactStore;
  queue: JobQueue;
  bus: EventBus;
  workspaceId: string;
  modelId: string;
  /** Every training-job event seen since the harness started, in arrival order. */
  events: TrainingJobEvent[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: 4, logging: ['error'] });
  await ds.initialize();
  const store = createArtifactStore({ databaseUrl: db.url });
  const queue = createJobQueue({ databaseUrl: db.url, supervise: false });
  await queue.start();
  const bus = new EventBus({ url: db.url });
  const events: TrainingJobEvent[] = [];
  await subscribeTrainingJobEvents(bus, (event) => {
    events.push(event);
  });
  const [workspace] = await ds.query<{ id: string }[]>(
    `INSERT INTO workspaces (name) VALUES ('ws-' || substr(md5(random()::text), 1, 8)) RETURNING id`,
  );
  const [model] = await ds.query<{ id: string }[]>(
    `INSERT INTO models (workspace_id, name, task) VALUES ($1, 'seed', 'REGRESSION') RETURNING id`,
    [workspace!.id],
  );
  return {
    db,
    ds,
    store,
    queue,
    bus,
    workspaceId: workspace!.id,
    modelId: model!.id,
    events,
    async close() {
      await bus.close();
      await queue.stop({ graceful: false });
      await store.close();
      await ds.destroy();
      await db.drop();
    },
  };
}

/** A further workspace (its quota `max_concurrent_jobs`, null: unlimited) with one model. */
export async function insertWorkspace(
  h: Harness,
  maxConcurrentJobs: number | null = null,
): Promise<{ workspaceId: string; modelId: string }> {
  const [workspace] = await h.ds.query<{ id: string }[]>(
    `INSERT INTO workspaces (name, max_concurrent_jobs)
     VALUES ('ws-' || substr(md5(random()::text), 1, 8), $1) RETURNING id`,
    [maxConcurrentJobs],
  );
  const [model] = await h.ds.query<{ id: string }[]>(
    `INSERT INTO models (workspace_id, name, task) VALUES ($1, 'seed', 'REGRESSION') RETURNING id`,
    [workspace!.id],
  );
  return { workspaceId: workspace!.id, modelId: model!.id };
}

/** Stores `dataset`'s encoded columns and inserts its `datasets` row, as the API's upload does. */
export async function insertDataset(
  h: Harness,
  dataset: ColumnarDataset,
  name = 'seed',
  workspaceId = h.workspaceId,
): Promise<string> {
  const bytes = encodeColumns(dataset);
  const stored = await h.store.put(Readable.from([bytes]));
  return h.ds.transaction(async (m) => {
    await acquireArtifact(m, stored.sha256);
    await acquireArtifact(m, stored.sha256);
    const [row] = await m.query<{ id: string }[]>(
      `INSERT INTO datasets (workspace_id, name, row_count, columns, size_bytes, source_sha256, columns_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
      [
        workspaceId,
        name,
        dataset.rowCount,
        JSON.stringify(
          dataset.columns.map((c) => ({
            name: c.name,
            type: c.type,
            nullCount: 0,
            min: null,
            max: null,
            mean: null,
            distinct: null,
          })),
        ),
        stored.sizeBytes,
        stored.sha256,
      ],
    );
    return row!.id;
  });
}

export interface JobSpec {
  datasetId: string;
  algorithm?: AlgorithmName;
  target?: string;
  features?: string[];
  hyperparameters: Record<string, unknown> & { epochs: number };
  warmStartVersionId?: string | null;
  /** Default: the harness's workspace and model. */
  workspaceId?: string;
  modelId?: string;
  startedByKeyId?: string | null;
}

/** Inserts a QUEUED job and enqueues it through the store, as `startTrainingJob` does. Returns the job id and when it committed. */
export async function startJob(
  h: Harness,
  spec: JobSpec,
): Promise<{ jobId: string; committedAt: number }> {
  const job = await h.ds.transaction((m) =>
    insertTrainingJob(m, h.queue, {
      workspaceId: spec.workspaceId ?? h.workspaceId,
      modelId: spec.modelId ?? h.modelId,
      startedByKeyId: spec.startedByKeyId ?? null,
      datasetId: spec.datasetId,
      algorithm: spec.algorithm ?? 'LINEAR_REGRESSION',
      target: spec.target ?? 'y',
      features: spec.features ?? ['x'],
      hyperparameters: spec.hyperparameters,
      epochs: spec.hyperparameters.epochs,
      warmStartVersionId: spec.warmStartVersionId ?? null,
    }),
  );
  return { jobId: job.id, committedAt: Date.now() };
}

export interface JobRow {
  id: string;
  status: string;
  attempt: number;
  epoch: number;
  seq: number;
  error: string | null;
  result_version_id: string | null;
  checkpoint_epoch: number | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export async function readJob(h: Harness, jobId: string): Promise<JobRow> {
  const [row] = await h.ds.query<(JobRow & { seq: string })[]>(
    `SELECT id, status, attempt, epoch, seq, error, result_version_id, checkpoint_epoch, lease_owner,
       lease_expires_at, created_at, started_at, finished_at FROM training_jobs WHERE id = $1`,
    [jobId],
  );
  if (!row) throw new Error(`no job ${jobId}`);
  return { ...row, seq: Number(row.seq) };
}

export async function epochNumbers(h: Harness, jobId: string): Promise<number[]> {
  const rows = await h.ds.query<{ epoch: number }[]>(
    'SELECT epoch FROM training_epochs WHERE job_id = $1 ORDER BY epoch',
    [jobId],
  );
  return rows.map((r) => r.epoch);
}

/** Polls `probe` until it returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function waitForStatus(
  h: Harness,
  jobId: string,
  statuses: string[],
  timeoutMs = 20_000,
): Promise<JobRow> {
  return waitFor(
    `job ${jobId} to reach ${statuses.join('/')}`,
    async () => {
      const job = await readJob(h, jobId);
      return statuses.includes(job.status) ? job : undefined;
    },
    timeoutMs,
  );
}

/** A worker process (`node apps/worker/dist/main.js`) and its JSON log lines. */
export interface WorkerProcess {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export async function spawnWorker(
  h: Harness,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, ...TEST_WORKER_ENV, ...env, DATABASE_URL: h.db.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
    listeners.forEach((listener) => listener());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      listeners.forEach((listener) => listener());
      resolve({ code, signal });
    }),
  );
  const worker: WorkerProcess = {
    child,
    logs,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForLog(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(
              new Error(
                `worker exited before the expected log line. stderr: ${stderr}\nlogs: ${JSON.stringify(logs.slice(-5))}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `timed out waiting for a worker log line. stderr: ${stderr}\nlogs: ${JSON.stringify(logs.slice(-5))}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
  await worker.waitForLog((line) => line.msg === 'training worker started', 30_000);
  return worker;
}

/** Kills every worker still running (afterEach). */
export async function killAll(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers.splice(0)) {
    if (worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill('SIGKILL');
    await worker.exited;
  }
}
