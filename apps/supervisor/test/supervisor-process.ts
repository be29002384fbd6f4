import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { processAlive as isAlive } from '@maas/db';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const SUPERVISOR_MAIN = path.join(REPO_ROOT, 'apps/supervisor/dist/main.js');

/** The built supervisor (`node apps/supervisor/dist/main.js`) running as a real process. */
export class SupervisorProcess {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private output = '';
  private stdoutText = '';

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [SUPERVISOR_MAIN], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      this.stdoutText += chunk.toString('utf8');
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exit = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** stdout and stderr together, in arrival order (per stream). */
  get text(): string {
    return this.output;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  /** Waits until the output matches `pattern` (global patterns: `count` matches). */
  async waitFor(pattern: RegExp, timeoutMs = 90_000, count = 1): Promise<RegExpMatchArray[]> {
    const deadline = Date.now() + timeoutMs;
    const global = new RegExp(
      pattern.source,
      pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
    );
    let exited = false;
    void this.exit.then(() => (exited = true));
    for (;;) {
      const matches = [...this.output.matchAll(global)];
      if (matches.length >= count) return matches;
      if (exited || Date.now() > deadline) {
        throw new Error(
          `${exited ? 'Supervisor exited' : 'Timed out'} before ${pattern} (x${count}). Output:\n${this.output}`,
        );
      }
      await sleep(50);
    }
  }

  /**
   * For `finally`: a supervisor still running after a failed test gets SIGTERM (so it stops its
   * children and PostgreSQL), and SIGKILL only if that does not end it within 30 s.
   */
  async ensureStopped(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exit;
    clearTimeout(timer);
  }

  /** Pids of every `<name> started (pid N)` line. */
  startedPids(): Map<string, number[]> {
    const pids = new Map<string, number[]>();
    for (const match of this.output.matchAll(/\[maas\] (\w+) started \(pid (\d+)\)/g)) {
      const name = match[1] ?? '';
      pids.set(name, [...(pids.get(name) ?? []), Number(match[2])]);
    }
    return pids;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { isAlive };

/** Waits (briefly) for `pid` to disappear: an orphan may take a moment to be reaped. */
export async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export function portIsFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** An environment for the supervisor without anything the test runner may have set. */
export function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|ADMIN_API_KEY|MAAS_|PORT$|CONSOLE_PORT$|VITEST|npm_)/.test(name)) {
      delete env[name];
    }
  }
  return { ...env, NODE_ENV: 'production', ...overrides };
}
