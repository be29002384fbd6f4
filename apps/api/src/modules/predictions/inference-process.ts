// INFERENCE_ISOLATION=process: tenant models run in a child inference worker
// (apps/inference-worker) on a loopback port with a random token, so a native crash, a runaway
// allocation or a run that never ends in ONNX Runtime takes down that child, not the API. The API
// restarts it (backoff) and kills it when it must: a prediction past its deadline (the only way
// to stop a native run) or a resident size above INFERENCE_PROCESS_MAX_RSS_BYTES.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getFreePort } from '@maas/db';
import type { Logger } from '../../common/logger';
import type { ApiConfig } from '../../env';

function workerMain(): string {
  const pkg = require.resolve('@maas/inference-worker/package.json');
  return path.join(path.dirname(pkg), 'dist', 'main.js');
}

function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** The supervised child inference worker; `url` and `token` are what the remote client uses. */
export class InferenceProcess {
  readonly token = randomBytes(24).toString('base64url');
  private child?: ChildProcess;
  private closed = false;
  private restarts = 0;
  private readonly memoryTimer: NodeJS.Timeout;

  private constructor(
    readonly url: string,
    private readonly port: number,
    private readonly config: ApiConfig,
    private readonly logger: Logger,
    /** Called when the child exits without being told to (crash, OOM kill, memory limit). */
    private readonly onCrash: (reason: string) => void,
  ) {
    this.memoryTimer = setInterval(() => this.checkMemory(), 500);
    this.memoryTimer.unref();
  }

  static async start(
    config: ApiConfig,
    logger: Logger,
    onCrash: (reason: string) => void,
  ): Promise<InferenceProcess> {
    const port = await getFreePort();
    const proc = new InferenceProcess(`http://127.0.0.1:${port}`, port, config, logger, onCrash);
    proc.spawn();
    await proc.waitReady(60_000);
    return proc;
  }

  /** Waits until the child answers its readiness probe (a slow start is logged, not fatal). */
  private async waitReady(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline && !this.closed) {
      const ok = await fetch(`${this.url}/v2/health/ready`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.logger.warn(
      { withinMs },
      'the inference process is not ready yet; serving goes on without it',
    );
  }

  /** The child's pid (for tests and diagnostics), when it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): void {
    const { config } = this;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      INFERENCE_HOST: '127.0.0.1',
      INFERENCE_PORT: String(this.port),
      INFERENCE_WORKER_TOKEN: this.token,
      ORT_EXECUTION_PROVIDERS: config.ORT_EXECUTION_PROVIDERS,
      PREDICT_TIMEOUT_MS: String(config.PREDICT_TIMEOUT_MS),
      DATABASE_URL: config.DATABASE_URL,
      ...(config.ARTIFACT_STORE_URL ? { ARTIFACT_STORE_URL: config.ARTIFACT_STORE_URL } : {}),
      ...(config.MAAS_DATA_DIR ? { MAAS_DATA_DIR: config.MAAS_DATA_DIR } : {}),
    };
    const child = spawn(process.execPath, [workerMain()], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const log = this.logger.child({ component: 'inference-process', pid: child.pid });
    child.stdout?.on('data', (d: Buffer) => {
      // The worker logs JSON lines; only its warnings and errors are worth repeating here.
      for (const line of d.toString().split('\n')) {
        if (/"level":"(warn|error)"/.test(line)) log.warn({ line: line.slice(0, 2000) }, 'worker');
      }
    });
    child.stderr?.on('data', (d: Buffer) =>
      log.warn({ line: d.toString().slice(0, 2000) }, 'worker'),
    );
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.closed) return;
      const expected = (child as { maasKilled?: string }).maasKilled;
      const reason = expected ?? `the inference process exited (${signal ?? `code ${code}`})`;
      if (!expected) {
        log.error({ code, signal }, 'inference process died; restarting it');
        this.onCrash(reason);
      }
      const delay = Math.min(5000, 100 * 2 ** Math.min(this.restarts++, 6));
      setTimeout(() => {
        if (!this.closed) this.spawn();
      }, delay).unref();
    });
    child.once('spawn', () => {
      // A child that stays up for a while resets the backoff.
      setTimeout(() => {
        if (this.child === child) this.restarts = 0;
      }, 30_000).unref();
    });
  }

  /** Kills the child now (SIGKILL: a native run ignores anything gentler); it is restarted. */
  kill(reason: string): void {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    (child as { maasKilled?: string }).maasKilled = reason;
    this.logger.warn({ reason, pid: child.pid }, 'killing the inference process');
    child.kill('SIGKILL');
  }

  private checkMemory(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    const rss = rssBytes(pid);
    if (rss === undefined || rss <= this.config.INFERENCE_PROCESS_MAX_RSS_BYTES) return;
    const reason = `the inference process used ${rss} bytes, above INFERENCE_PROCESS_MAX_RSS_BYTES (${this.config.INFERENCE_PROCESS_MAX_RSS_BYTES})`;
    this.kill(reason);
    this.onCrash(reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.memoryTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  }
}
