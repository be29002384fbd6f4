import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SupervisorConfig } from './env';
import type { ChildSpec } from './supervised-child';

/** The children to start, and a note for each one that is left out. */
export interface ChildPlan {
  children: ChildSpec[];
  /** Why a child is not started (not built yet, turned off), for the log. */
  skipped: string[];
}

/**
 * Decides which children run and how: the API always (its entry must exist); the worker when
 * its entry exists; the console when its folder holds a built Next.js app. Every child gets the
 * same `DATABASE_URL`; only the API gets `ADMIN_API_KEY` (the worker and the console never use
 * it, so neither holds the root secret). Throws when something that was asked for explicitly, or
 * the API, is missing.
 */
export function planChildren(
  config: SupervisorConfig,
  shared: { databaseUrl: string; adminKey: string },
): ChildPlan {
  const relative = (file: string) => path.relative(config.repoRoot, file) || '.';
  // Without the root secret, even when the supervisor itself was given ADMIN_API_KEY.
  const { ADMIN_API_KEY: _rootSecret, ...inherited } = config.inheritedEnv;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    DATABASE_URL: shared.databaseUrl,
    MAAS_DATA_DIR: config.dataDir,
    PORT: String(config.apiPort),
    CONSOLE_PORT: String(config.consolePort),
    MAAS_API_URL: config.apiUrl,
  };
  const apiEnv: NodeJS.ProcessEnv = { ...env, ADMIN_API_KEY: shared.adminKey };
  const children: ChildSpec[] = [];
  const skipped: string[] = [];

  if (!existsSync(config.apiEntry)) {
    throw new Error(
      `The API is not built: ${relative(config.apiEntry)} is missing. ` +
        'Run `npm start` (it builds first) or `npm run build`.',
    );
  }
  children.push(nodeChild('api', config.apiEntry, config.repoRoot, apiEnv));

  if (config.workerEntry === null) {
    skipped.push('worker: turned off (MAAS_WORKER_ENTRY=off)');
  } else if (existsSync(config.workerEntry)) {
    children.push(nodeChild('worker', config.workerEntry, config.repoRoot, env));
  } else if (config.workerEntryExplicit) {
    throw new Error(`MAAS_WORKER_ENTRY: ${config.workerEntry} does not exist.`);
  } else {
    skipped.push(`worker: not started (${relative(config.workerEntry)} does not exist yet)`);
  }

  const consoleChild = planConsole(config, env, relative);
  if (typeof consoleChild === 'string') skipped.push(consoleChild);
  else children.push(consoleChild);

  return { children, skipped };
}

function nodeChild(name: string, entry: string, cwd: string, env: NodeJS.ProcessEnv): ChildSpec {
  return { name, command: process.execPath, args: [entry], cwd, env };
}

/** The console's ChildSpec, or a note saying why it is not started. */
function planConsole(
  config: SupervisorConfig,
  env: NodeJS.ProcessEnv,
  relative: (file: string) => string,
): ChildSpec | string {
  const dir = config.consoleDir;
  if (dir === null) return 'console: turned off (MAAS_CONSOLE_DIR=off)';
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) {
    if (config.consoleDirExplicit) throw new Error(`MAAS_CONSOLE_DIR: ${manifest} does not exist.`);
    return `console: not started (${relative(dir)} does not exist yet)`;
  }
  const scripts = readScripts(manifest);
  if (!scripts.start) return `console: not started (${relative(manifest)} has no "start" script)`;
  if (!existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
    return `console: not started (not built: ${relative(path.join(dir, '.next'))} is missing; run \`npm run build\`)`;
  }
  // Next.js reads PORT; the console must listen on CONSOLE_PORT, never on the API's port. The
  // settings of the npm that ran `npm start` are not meant for the console's own `npm run`.
  const consoleEnv: NodeJS.ProcessEnv = { PORT: String(config.consolePort) };
  for (const [name, value] of Object.entries(env)) {
    if (!/^(npm_(config|lifecycle|package)_|INIT_CWD$)/.test(name)) consoleEnv[name] ??= value;
  }
  const npmArgs = ['run', 'start'];
  return config.npmExecPath?.endsWith('.js')
    ? {
        name: 'console',
        command: process.execPath,
        args: [config.npmExecPath, ...npmArgs],
        cwd: dir,
        env: consoleEnv,
      }
    : { name: 'console', command: npmCommand(), args: npmArgs, cwd: dir, env: consoleEnv };
}

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

function readScripts(manifest: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as {
      scripts?: Record<string, string>;
    };
    return parsed.scripts ?? {};
  } catch (err) {
    throw new Error(`Cannot read ${manifest}: ${(err as Error).message}`);
  }
}
