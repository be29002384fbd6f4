import { PassThrough } from 'node:stream';
import { SupervisedChild, type ChildSpec } from './supervised-child';
import type { SupervisorLog } from './supervisor-log';

function recordingLog(): SupervisorLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

function nodeSpec(name: string, script: string): ChildSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', script],
    cwd: process.cwd(),
    env: process.env,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SupervisedChild', () => {
  it('forwards output labelled with the name, and restarts a crashed child with growing delays until it gives up', async () => {
    const log = recordingLog();
    const out = capture();
    const errors: Error[] = [];
    const child = new SupervisedChild({
      spec: nodeSpec('crashy', 'console.log("hello"); console.error("oops"); process.exit(3)'),
      restartPolicy: { initialDelayMs: 20, maxDelayMs: 60, maxCrashes: 4, windowMs: 60_000 },
      stdout: out.stream,
      stderr: out.stream,
      log,
      onGiveUp: (error) => errors.push(error),
    });
    child.start();
    await until(() => errors.length > 0);

    expect(child.gaveUp).toBe(true);
    expect(child.restarts).toBe(3);
    expect(child.pid).toBeUndefined();
    expect(errors[0]?.message).toMatch(
      /crashy exited 4 times within 60 s \(last: exit code 3\); giving up/,
    );
    const delays = log.lines
      .filter((l) => l.startsWith('warn'))
      .map((l) => /restarting in (\d+ ms)/.exec(l)?.[1]);
    expect(delays).toEqual(['20 ms', '40 ms', '60 ms']);
    expect(out.text().match(/\[crashy\] hello\n/g)).toHaveLength(4);
    expect(out.text()).toContain('[crashy] oops\n');
  });

  it('stops a child with SIGTERM and does not restart it', async () => {
    const log = recordingLog();
    const child = new SupervisedChild({
      spec: nodeSpec(
        'calm',
        'process.on("SIGTERM", () => { console.log("bye"); process.exit(0); }); setInterval(() => {}, 1000); console.log("up")',
      ),
      stdout: capture().stream,
      stderr: capture().stream,
      log,
    });
    child.start();
    const pid = child.pid;
    expect(pid).toBeDefined();
    await until(() => log.lines.some((l) => l.includes(`calm started (pid ${pid})`)));
    await new Promise((resolve) => setTimeout(resolve, 200)); // let it install its handler
    await child.stop(5_000);
    expect(isAlive(pid ?? -1)).toBe(false);
    expect(log.lines).toContain('info calm stopped (exit code 0)');
    expect(log.lines.some((l) => l.startsWith('warn'))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(child.pid).toBeUndefined();
  });

  it('SIGKILLs a child and its grandchildren that ignore SIGTERM after the timeout', async () => {
    const log = recordingLog();
    const out = capture();
    // The shell and its background sleep both ignore SIGTERM (ignored signals survive exec).
    const child = new SupervisedChild({
      spec: {
        name: 'stubborn',
        command: 'sh',
        args: ['-c', "trap '' TERM; sleep 300 & echo $!; wait"],
        cwd: process.cwd(),
        env: process.env,
      },
      stdout: out.stream,
      stderr: out.stream,
      log,
    });
    child.start();
    const pid = child.pid ?? -1;
    await until(() => /\[stubborn\] \d+\n/.test(out.text()));
    const grandchild = Number(/\[stubborn\] (\d+)\n/.exec(out.text())?.[1]);
    expect(isAlive(grandchild)).toBe(true);

    const started = Date.now();
    await child.stop(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(log.lines).toContain('warn stubborn did not stop within 300 ms of SIGTERM; killing it');
    expect(log.lines).toContain('info stubborn stopped (killed by SIGKILL)');
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('reports a command that cannot start as a crash', async () => {
    const log = recordingLog();
    const errors: Error[] = [];
    const child = new SupervisedChild({
      spec: {
        name: 'ghost',
        command: '/nonexistent/ghost',
        args: [],
        cwd: process.cwd(),
        env: process.env,
      },
      restartPolicy: { initialDelayMs: 1, maxCrashes: 2 },
      stdout: capture().stream,
      stderr: capture().stream,
      log,
      onGiveUp: (error) => errors.push(error),
    });
    child.start();
    await until(() => errors.length > 0);
    expect(errors[0]?.message).toMatch(
      /ghost exited 2 times .*could not start: spawn \/nonexistent\/ghost ENOENT/,
    );
  });

  it('cancels a pending restart when stopped', async () => {
    const log = recordingLog();
    const child = new SupervisedChild({
      spec: nodeSpec('once', 'process.exit(1)'),
      restartPolicy: { initialDelayMs: 300 },
      stdout: capture().stream,
      stderr: capture().stream,
      log,
    });
    child.start();
    await until(() => log.lines.some((l) => l.includes('restarting in 300 ms')));
    await child.stop(1_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(child.restarts).toBe(0);
    expect(log.lines.filter((l) => l.includes('once started'))).toHaveLength(1);
  });
});
