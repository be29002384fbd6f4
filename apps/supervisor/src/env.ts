import path from 'node:path';
import { findRepoRoot, resolveDataDir } from '@maas/db';
import { z } from 'zod';

// The supervisor's configuration, read and checked once here; nothing else reads process.env.

// An empty variable (`PORT=`) means "unset", as a shell user expects.
const optionalText = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
  z.string().trim().optional(),
);
const port = (fallback: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce
      .number({ message: 'must be a port number' })
      .int('must be a whole number')
      .min(1, 'must be a port in 1..65535')
      .max(65535, 'must be a port in 1..65535')
      .default(fallback),
  );
const milliseconds = (fallback: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number().int('must be a whole number of milliseconds').min(0).default(fallback),
  );

/** The variables this process reads (docs/configuration.md lists each one). */
export const EnvSchema = z.object({
  DATABASE_URL: optionalText.refine(
    (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
    'must be a postgres:// or postgresql:// URL (or unset, for the embedded PostgreSQL)',
  ),
  MAAS_DATA_DIR: optionalText,
  MAAS_PG_PORT: port(54329),
  PORT: port(4000),
  CONSOLE_PORT: port(3000),
  MAAS_API_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value),
    'must be an http:// or https:// URL',
  ),
  ADMIN_API_KEY: optionalText.refine(
    (value) => value === undefined || value.length >= 16,
    'must be at least 16 characters (or unset: one is generated on first start)',
  ),
  MAAS_API_ENTRY: optionalText,
  MAAS_WORKER_ENTRY: optionalText,
  MAAS_CONSOLE_DIR: optionalText,
  MAAS_STOP_TIMEOUT_MS: milliseconds(15_000),
  MAAS_SEED_DEMO: z.enum(['true', 'false', '1', '0']).optional(),
  // Set by `npm start`: the npm that started us, reused to start the console.
  npm_execpath: optionalText,
  npm_lifecycle_event: optionalText,
});

/** The supervisor's configuration: {@link loadSupervisorConfig}. */
export interface SupervisorConfig {
  /** The repository root (paths below are absolute). */
  repoRoot: string;
  /** `MAAS_DATA_DIR` resolved against the repository root; default `<root>/.maas`. */
  dataDir: string;
  /** An external PostgreSQL; undefined: start the embedded one on {@link pgPort}. */
  databaseUrl: string | undefined;
  pgPort: number;
  apiPort: number;
  consolePort: number;
  /** `MAAS_API_URL`, default `http://localhost:$PORT`: where the console finds the API. */
  apiUrl: string;
  /** `ADMIN_API_KEY`; undefined: read from or generated into `<dataDir>/admin-key`. */
  adminApiKey: string | undefined;
  /** The API's entry script (`MAAS_API_ENTRY`, default `apps/api/dist/main.js`). */
  apiEntry: string;
  /** The worker's entry script; null when `MAAS_WORKER_ENTRY=off`. */
  workerEntry: string | null;
  /** True when `MAAS_WORKER_ENTRY` was given explicitly (then a missing file is an error). */
  workerEntryExplicit: boolean;
  /** The console's folder (`MAAS_CONSOLE_DIR`, default `apps/console`); null when `off`. */
  consoleDir: string | null;
  consoleDirExplicit: boolean;
  /** How long a child gets between SIGTERM and SIGKILL (`MAAS_STOP_TIMEOUT_MS`, default 15 s). */
  stopTimeoutMs: number;
  /** Seed the demo on the first start of an empty database (`MAAS_SEED_DEMO`, default true). */
  seedDemo: boolean;
  /** npm's CLI script when started through npm (to run the console's `npm run start`). */
  npmExecPath: string | undefined;
  /**
   * True when started by an npm script (`npm start`): npm forwards SIGTERM only to the script's
   * shell, so the supervisor stops by itself when that parent goes away.
   */
  stopWithParent: boolean;
  /** The environment the children inherit (before the supervisor adds its own variables). */
  inheritedEnv: NodeJS.ProcessEnv;
}

const OFF = new Set(['off', 'false', 'no', '0', 'none']);

/**
 * Reads and checks the supervisor's configuration from `env`. Throws one error listing every
 * invalid variable and what to change.
 */
export function loadSupervisorConfig(
  env: NodeJS.ProcessEnv = process.env,
  repoRoot: string = findRepoRoot(__dirname),
): SupervisorConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const fromRoot = (value: string) => path.resolve(repoRoot, value);
  const optionalPath = (value: string | undefined, fallback: string) =>
    value !== undefined && OFF.has(value.toLowerCase()) ? null : fromRoot(value ?? fallback);

  const consoleDir = optionalPath(c.MAAS_CONSOLE_DIR, 'apps/console');
  const clashes = portClashes({
    PORT: c.PORT,
    ...(consoleDir ? { CONSOLE_PORT: c.CONSOLE_PORT } : {}),
    ...(c.DATABASE_URL ? {} : { MAAS_PG_PORT: c.MAAS_PG_PORT }),
  });
  if (clashes.length > 0) {
    throw new Error(`Invalid configuration:\n${clashes.map((line) => `  ${line}`).join('\n')}`);
  }

  return {
    repoRoot,
    dataDir: resolveDataDir(c.MAAS_DATA_DIR, repoRoot),
    databaseUrl: c.DATABASE_URL,
    pgPort: c.MAAS_PG_PORT,
    apiPort: c.PORT,
    consolePort: c.CONSOLE_PORT,
    apiUrl: (c.MAAS_API_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    adminApiKey: c.ADMIN_API_KEY,
    apiEntry: fromRoot(c.MAAS_API_ENTRY ?? 'apps/api/dist/main.js'),
    workerEntry: optionalPath(c.MAAS_WORKER_ENTRY, 'apps/worker/dist/main.js'),
    workerEntryExplicit: c.MAAS_WORKER_ENTRY !== undefined,
    consoleDir,
    consoleDirExplicit: c.MAAS_CONSOLE_DIR !== undefined,
    stopTimeoutMs: c.MAAS_STOP_TIMEOUT_MS,
    seedDemo: c.MAAS_SEED_DEMO !== 'false' && c.MAAS_SEED_DEMO !== '0',
    npmExecPath: c.npm_execpath,
    stopWithParent: c.npm_lifecycle_event !== undefined,
    inheritedEnv: { ...env },
  };
}

function portClashes(ports: Record<string, number>): string[] {
  const entries = Object.entries(ports);
  const clashes: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, portA] = entries[i] ?? [];
      const [b, portB] = entries[j] ?? [];
      if (portA === portB) clashes.push(`${a} and ${b} are both ${portA}: give each its own port`);
    }
  }
  return clashes;
}

/** What the one-shot `migrate` command reads. */
export const MigrateEnvSchema = z.object({
  DATABASE_URL: z
    .string({ message: 'is required: the postgres:// URL of the database to migrate' })
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
});

/** Configuration of the one-shot `migrate` command: just `DATABASE_URL`, required. */
export function loadMigrateConfig(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string } {
  const parsed = MigrateEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { databaseUrl: parsed.data.DATABASE_URL };
}
