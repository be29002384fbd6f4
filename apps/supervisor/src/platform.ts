import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  ensureDatabase,
  runMigrations,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@maas/db';
import { resolveAdminKey, type AdminKey } from './admin-key';
import { planChildren } from './child-plan';
import type { SupervisorConfig } from './env';
import { assertPortFree, waitForHttpOk } from './readiness';
import { SupervisedChild, type ChildGaveUpError, type RestartPolicy } from './supervised-child';
import { createSupervisorLog, redactUrl, type SupervisorLog } from './supervisor-log';

/** Options of {@link startPlatform}. */
export interface StartPlatformOptions {
  config: SupervisorConfig;
  /** Where the supervisor's and the children's output goes; default the process's own. */
  stdout?: Writable;
  stderr?: Writable;
  restartPolicy?: Partial<RestartPolicy>;
  /** Aborting it during start-up stops what was started and rejects with {@link PlatformStartAborted}. */
  signal?: AbortSignal;
  /** How long to wait for the API's `/healthz` before saying it is late. Default 180 s. */
  readyTimeoutMs?: number;
}

/** A child as the platform sees it now. */
export interface PlatformChild {
  name: string;
  /** Undefined while it is down (between a crash and its restart, or after giving up). */
  pid: number | undefined;
  restarts: number;
}

/** The running platform returned by {@link startPlatform}. */
export interface Platform {
  /** The `DATABASE_URL` every child got. */
  readonly databaseUrl: string;
  /** The embedded PostgreSQL, or null with an external `DATABASE_URL`. */
  readonly postgres: { pid: number; port: number } | null;
  readonly adminKey: AdminKey;
  readonly graphqlUrl: string;
  /** Null when the console is not started. */
  readonly consoleUrl: string | null;
  /** True once the API's `GET /healthz` answers 200; false after the timeout or a stop. */
  readonly ready: Promise<boolean>;
  /** Resolves (never rejects) when a child crashed too often and stays down. */
  readonly failure: Promise<ChildGaveUpError>;
  children(): PlatformChild[];
  /**
   * Stops every child (SIGTERM, SIGKILL after `MAAS_STOP_TIMEOUT_MS`), then the embedded
   * PostgreSQL. Idempotent; `force` SIGKILLs the children at once (a second Ctrl-C).
   */
  stop(options?: { force?: boolean }): Promise<void>;
}

/** Start-up was interrupted through `StartPlatformOptions.signal`; what had started is stopped. */
export class PlatformStartAborted extends Error {
  constructor() {
    super('Start-up interrupted; everything started so far was stopped.');
    this.name = 'PlatformStartAborted';
  }
}

/**
 * Starts the whole platform: the embedded PostgreSQL (unless `databaseUrl` is configured), the
 * migrations once, the admin key, then the API, the worker and the console as supervised
 * children sharing one `DATABASE_URL` (only the API gets `ADMIN_API_KEY`). On failure, whatever
 * was started is stopped before the error is thrown.
 */
export async function startPlatform(options: StartPlatformOptions): Promise<Platform> {
  const { config } = options;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const log = createSupervisorLog(stdout, stderr);
  const throwIfAborted = () => {
    if (options.signal?.aborted) throw new PlatformStartAborted();
  };
  let postgres: EmbeddedPostgres | null = null;
  try {
    throwIfAborted();
    await assertPortFree(config.apiPort, undefined, 'the API', 'PORT');
    const adminKey = await resolveAdminKey({
      dataDir: config.dataDir,
      configured: config.adminApiKey,
    });
    // Printed as soon as it exists, so that a start that fails later cannot swallow it.
    if (adminKey.source === 'generated') printNewAdminKey(log, adminKey);

    let databaseUrl: string;
    if (config.databaseUrl) {
      databaseUrl = config.databaseUrl;
      log.info(`Using the PostgreSQL at ${redactUrl(databaseUrl)}`);
    } else {
      await assertPortFree(config.pgPort, '127.0.0.1', 'the embedded PostgreSQL', 'MAAS_PG_PORT');
      log.info(
        `Starting the embedded PostgreSQL on 127.0.0.1:${config.pgPort} ` +
          `(data in ${path.join(config.dataDir, 'postgres')}, log in ${path.join(config.dataDir, 'postgres.log')})`,
      );
      postgres = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.pgPort });
      databaseUrl = await ensureDatabase(postgres.url, 'maas');
      log.info(`PostgreSQL is up (pid ${postgres.pid}, database "maas")`);
    }
    throwIfAborted();

    const applied = await runMigrations(databaseUrl);
    log.info(
      applied.length > 0
        ? `Migrations applied: ${applied.join(', ')}`
        : 'Database schema is up to date',
    );
    throwIfAborted();

    const plan = planChildren(config, { databaseUrl, adminKey: adminKey.secret });
    for (const note of plan.skipped) log.info(note);
    if (plan.children.some((child) => child.name === 'console')) {
      await assertPortFree(config.consolePort, undefined, 'the console', 'CONSOLE_PORT');
    }

    return launch({ options, log, stdout, stderr, postgres, databaseUrl, adminKey, plan });
  } catch (err) {
    if (postgres) {
      log.info('Stopping the embedded PostgreSQL');
      await postgres.stop();
    }
    throw err;
  }
}

function launch(args: {
  options: StartPlatformOptions;
  log: SupervisorLog;
  stdout: Writable;
  stderr: Writable;
  postgres: EmbeddedPostgres | null;
  databaseUrl: string;
  adminKey: AdminKey;
  plan: ReturnType<typeof planChildren>;
}): Platform {
  const { options, log, postgres, plan } = args;
  const { config } = options;
  let reportFailure: (error: ChildGaveUpError) => void = () => undefined;
  const failure = new Promise<ChildGaveUpError>((resolve) => (reportFailure = resolve));
  const children = plan.children.map(
    (spec) =>
      new SupervisedChild({
        spec,
        restartPolicy: options.restartPolicy,
        stdout: args.stdout,
        stderr: args.stderr,
        log,
        onGiveUp: reportFailure,
      }),
  );
  // Should the supervisor die without stop() (an uncaught error), take the children with it;
  // the embedded PostgreSQL has its own exit hook.
  const killChildren = () => children.forEach((child) => child.kill());
  process.on('exit', killChildren);
  for (const child of children) child.start();

  const graphqlUrl = `http://localhost:${config.apiPort}/graphql`;
  const hasConsole = children.some((child) => child.name === 'console');
  const consoleUrl = hasConsole ? `http://localhost:${config.consolePort}` : null;
  log.info(`API      ${graphqlUrl}`);
  if (consoleUrl) log.info(`Console  ${consoleUrl}`);

  const readyAbort = new AbortController();
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const ready = waitForHttpOk(
    `http://127.0.0.1:${config.apiPort}/healthz`,
    readyTimeoutMs,
    readyAbort.signal,
  ).then((ok) => {
    if (ok) {
      const keyNote =
        args.adminKey.source === 'env' ? 'ADMIN_API_KEY' : `admin key in ${args.adminKey.file}`;
      log.info(
        `Ready: API ${graphqlUrl}${consoleUrl ? `, Console ${consoleUrl}` : ''} (${keyNote}). Ctrl-C stops it all.`,
      );
    } else if (!readyAbort.signal.aborted) {
      log.warn(
        `The API did not answer GET /healthz within ${readyTimeoutMs / 1000} s; see its output above.`,
      );
    }
    return ok;
  });

  let stopping: Promise<void> | undefined;
  return {
    databaseUrl: args.databaseUrl,
    postgres: postgres ? { pid: postgres.pid, port: postgres.port } : null,
    adminKey: args.adminKey,
    graphqlUrl,
    consoleUrl,
    ready,
    failure,
    children: () =>
      children.map((child) => ({ name: child.name, pid: child.pid, restarts: child.restarts })),
    stop({ force = false } = {}) {
      if (force) killChildren();
      stopping ??= (async () => {
        readyAbort.abort();
        log.info('Stopping: the children first, then the database');
        await Promise.all(children.map((child) => child.stop(config.stopTimeoutMs)));
        process.off('exit', killChildren);
        if (postgres) {
          log.info('Stopping the embedded PostgreSQL');
          await postgres.stop();
        }
        log.info('Stopped.');
      })();
      return stopping;
    },
  };
}

function printNewAdminKey(log: SupervisorLog, adminKey: AdminKey): void {
  const rule = '='.repeat(78);
  log.info(
    [
      rule,
      `Admin API key: ${adminKey.secret}`,
      `(saved to ${adminKey.file}; it is shown only this once)`,
      'Send it as "Authorization: Bearer <key>". It is the root key: keep it secret.',
      rule,
    ].join('\n'),
  );
}
