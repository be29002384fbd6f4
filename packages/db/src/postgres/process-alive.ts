/**
 * Whether a process with `pid` runs (a negative `pid`: whether any process of that group does).
 * A process of another user counts as running (EPERM).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
