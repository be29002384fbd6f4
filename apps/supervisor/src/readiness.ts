import { createServer } from 'node:net';

/**
 * Throws a clear error when `port` on `host` (undefined: every address) is taken, so the
 * supervisor refuses to start instead of a child crash-looping on EADDRINUSE.
 */
export async function assertPortFree(
  port: number,
  host: string | undefined,
  what: string,
  setting: string,
): Promise<void> {
  const free = await new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new Error(
      `Port ${port} (${what}) is already in use, or not allowed. Is another maas running? ` +
        `Stop it, or set ${setting} to a free port.`,
    );
  }
}

/**
 * Polls `url` until it answers 200. Resolves true then, false after `timeoutMs` or when
 * `signal` aborts.
 */
export async function waitForHttpOk(
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, 250);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  return false;
}
