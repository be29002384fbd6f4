import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { processAlive } from '@maas/db';
import { createLineForwarder } from './line-forwarder';
import type { SupervisorLog } from './supervisor-log';

/** What to run for one child of the supervisor. */
export interface ChildSpec {
  /** Short label used in logs and output prefixes: `api`, `worker`, `console`. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** How a child that dies unexpectedly is restarted, and when the supervisor gives up on it. */
export interface RestartPolicy {
  /** Delay before the first restart; doubled for each further crash within `windowMs`. */
  initialDelayMs: number;
  /** Upper bound of the restart delay. */
  maxDelayMs: number;
  /** This many unexpected exits within `windowMs` and the child is not restarted again. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 15_000,
  maxCrashes: 5,
  windowMs: 60_000,
};

/** A child crashed `maxCrashes` times within `windowMs`; it is not restarted again. */
export class ChildGaveUpError extends Error {
  constructor(
    readonly childName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChildGaveUpError';
  }
}

/** Options of {@link SupervisedChild}. */
export interface SupervisedChildOptions {
  spec: ChildSpec;
  restartPolicy?: Partial<RestartPolicy>;
  /** Where the child's labelled stdout and stderr lines go. */
  stdout: Writable;
  stderr: Writable;
  log: SupervisorLog;
  /** Called once when the child crashed `maxCrashes` times within `windowMs` and stays down. */
  onGiveUp?: (error: ChildGaveUpError) => void;
}

// Each child leads its own process group, so a Ctrl-C in the terminal reaches only the
// supervisor (which then stops children in order) and a stop also reaches grandchildren
// (npm → sh → next). Windows has no process groups.
const USE_PROCESS_GROUPS = process.platform !== 'win32';

/**
 * One child process of the supervisor: started, its output forwarded line by line, restarted with
 * exponential backoff when it exits without being asked to, and stopped with SIGTERM, then
 * SIGKILL after a timeout, together with anything it started.
 */
export class SupervisedChild {
  readonly name: string;
  private readonly policy: RestartPolicy;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | null = null;
  private crashTimes: number[] = [];
  private stopRequested = false;
  private startCount = 0;
  private hasGivenUp = false;

  constructor(private readonly options: SupervisedChildOptions) {
    this.name = options.spec.name;
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.restartPolicy };
  }

  /** Process id of the running child (undefined while it is down). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times the child was started again after an unexpected exit. */
  get restarts(): number {
    return Math.max(0, this.startCount - 1);
  }

  /** True once the child crashed too often and will not be restarted. */
  get gaveUp(): boolean {
    return this.hasGivenUp;
  }

  /** Spawns the child. Does nothing once {@link stop} was called. */
  start(): void {
    if (this.stopRequested || this.child) return;
    const { spec, log } = this.options;
    this.startCount += 1;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: USE_PROCESS_GROUPS,
    });
    this.child = child;
    const out = createLineForwarder(spec.name, this.options.stdout);
    const err = createLineForwarder(spec.name, this.options.stderr);
    child.stdout?.on('data', (chunk: Buffer) => out.write(chunk));
    child.stdout?.on('end', () => out.flush());
    child.stderr?.on('data', (chunk: Buffer) => err.write(chunk));
    child.stderr?.on('end', () => err.flush());

    let markExited: () => void = () => undefined;
    this.exited = new Promise<void>((resolve) => (markExited = resolve));
    let settled = false;
    const onExit = (how: string) => {
      if (settled) return;
      settled = true;
      if (this.child === child) this.child = null;
      markExited();
      this.handleExit(child.pid, how);
    };
    child.once('exit', (code, signal) =>
      onExit(signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`),
    );
    child.on('error', (error) => {
      // Without a pid the process never started (missing binary): that is its exit.
      if (child.pid === undefined) onExit(`could not start: ${error.message}`);
      else log.warn(`${spec.name}: ${error.message}`);
    });
    if (child.pid !== undefined) log.info(`${spec.name} started (pid ${child.pid})`);
  }

  /**
   * Stops the child for good: SIGTERM to its process group, then SIGKILL to whatever is left of the
   * group after `timeoutMs`. Resolves once the child and everything it started are gone.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopRequested = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const child = this.child;
    const pid = child?.pid;
    if (!child || pid === undefined) return;
    const deadline = Date.now() + timeoutMs;
    signalTree(pid, child, 'SIGTERM');
    const exitedInTime = await settleWithin(this.exited, timeoutMs);
    const treeGone = exitedInTime && (await waitUntilGroupGone(pid, deadline));
    if (!treeGone) {
      this.options.log.warn(
        `${this.name} did not stop within ${formatDelay(timeoutMs)} of SIGTERM; killing it`,
      );
      signalTree(pid, child, 'SIGKILL');
      await this.exited;
      await waitUntilGroupGone(pid, Date.now() + 5_000);
    }
  }

  /** SIGKILL now, without waiting (a second Ctrl-C, or the supervisor dying). */
  kill(): void {
    this.stopRequested = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child?.pid !== undefined) signalTree(child.pid, child, 'SIGKILL');
  }

  private handleExit(pid: number | undefined, how: string): void {
    const { log } = this.options;
    if (this.stopRequested) {
      log.info(`${this.name} stopped (${how})`);
      return;
    }
    // Whatever the child started must not outlive it (and hold its port) into the restart.
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');

    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.policy.windowMs), now];
    const crashes = this.crashTimes.length;
    const windowS = Math.round(this.policy.windowMs / 1000);
    if (crashes >= this.policy.maxCrashes) {
      this.hasGivenUp = true;
      const error = new ChildGaveUpError(
        this.name,
        `${this.name} exited ${crashes} times within ${windowS} s (last: ${how}); ` +
          'giving up on it. Its output above says why.',
      );
      log.error(error.message);
      this.options.onGiveUp?.(error);
      return;
    }
    const delay = Math.min(this.policy.initialDelayMs * 2 ** (crashes - 1), this.policy.maxDelayMs);
    log.warn(
      `${this.name} exited unexpectedly (${how}); restarting in ${formatDelay(delay)} ` +
        `(crash ${crashes} of ${this.policy.maxCrashes} allowed within ${windowS} s)`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

function signalTree(pid: number, child: ChildProcess, signal: NodeJS.Signals): void {
  if (USE_PROCESS_GROUPS) signalGroup(pid, signal);
  else child.kill(signal);
}

/** Sends `signal` to every process of the group `pid` leads; a group already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (!USE_PROCESS_GROUPS) return;
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function groupAlive(pid: number): boolean {
  return USE_PROCESS_GROUPS && processAlive(-pid);
}

/** Polls until no process of group `pid` is left; false if some remain at `deadline`. */
async function waitUntilGroupGone(pid: number, deadline: number): Promise<boolean> {
  while (groupAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** True when `promise` settles within `ms`, false otherwise (the timer never outlives it). */
function settleWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
