// What the benchmarks share (apps/api/bench, packages/inference/bench): order statistics, a process tree's CPU time, the machine's CPU name, server scripts started as child processes. `@maas/testing/bench-stats`.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The p-quantile (0..1) of an ascending array; NaN when empty. */
export function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

/** The median of the values that are numbers; NaN when there are none. */
export function median(values) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds a process has used so far, all its threads and its live child processes (the API's
 * inference children) (Linux /proc); undefined elsewhere.
 */
export function processCpuSeconds(pid) {
  const own = ownCpuSeconds(pid);
  if (own === undefined) return undefined;
  return own + childPids(pid).reduce((sum, child) => sum + (ownCpuSeconds(child) ?? 0), 0);
}

/** CPU seconds of the process itself (all its threads) and of its live child processes, apart. */
export function processCpuSplit(pid) {
  const own = ownCpuSeconds(pid);
  if (own === undefined) return undefined;
  return {
    own,
    children: childPids(pid).reduce((sum, child) => sum + (ownCpuSeconds(child) ?? 0), 0),
  };
}

/**
 * CPU seconds of a process's main thread and of all its other threads (V8's platform workers for
 * concurrent GC and compilation, libuv's pool, worker threads: Node names them all "node");
 * undefined off Linux. /proc counts in clock ticks (10 ms): read it over whole cells.
 */
export function threadCpuSeconds(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return undefined;
  }
  const groups = { main: 0, other: 0 };
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      groups[tid === pid ? 'main' : 'other'] +=
        (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return groups;
}

function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function ownCpuSeconds(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The CPU's name, with the hypervisor when it is a guest (lscpu; os.cpus() without it). */
export function cpuModel() {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const name = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1];
    const hypervisor = /^Hypervisor vendor:\s*(.+)$/m.exec(lscpu)?.[1];
    if (name) model = `${name}${hypervisor ? ` (${hypervisor} guest)` : ''}`;
  } catch {
    // no lscpu: os.cpus() it is
  }
  return model;
}

/**
 * Starts a benchmark's server script (`node [...nodeArgs] script`) in a child process that prints
 * `{"listening": url}` on a line of its stdout once it serves; resolves with its URL, pid, the
 * child and a `stop` (SIGTERM, SIGKILL after 15 s). Its other JSON lines go to `onMessage`, any
 * other line to `log` prefixed with the script's name; an exit before listening rejects.
 */
export function startServerChild(
  script,
  { env = {}, nodeArgs = [], onMessage, log = console.error } = {},
) {
  const name = script.split(/[\\/]/).pop();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onExit = (code) => reject(new Error(`${name} exited with ${code} before listening`));
    child.once('exit', onExit);
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let parsed;
        try {
          parsed = JSON.parse(line);
        } catch {
          parsed = undefined;
        }
        if (parsed?.listening) {
          child.off('exit', onExit);
          resolve({
            url: parsed.listening,
            pid: child.pid,
            child,
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done();
                const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
                child.once('exit', () => {
                  clearTimeout(force);
                  done();
                });
                child.kill('SIGTERM');
              }),
          });
        } else if (onMessage && parsed !== null && typeof parsed === 'object') {
          onMessage(parsed);
        } else if (line.trim()) {
          log(`[${name}] ${line}`);
        }
      }
    });
  });
}
