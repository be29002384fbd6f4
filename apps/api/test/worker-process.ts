import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const WORKER_ENTRY = path.resolve(__dirname, '..', '..', 'worker', 'dist', 'main.js');

/** A real training worker process against the test database. */
export function startWorker(
  databaseUrl: string,
  env: Record<string, string> = {},
): { process: ChildProcess; output: string[]; stop(): Promise<void> } {
  const output: string[] = [];
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  return {
    process: child,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
