import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root: the nearest folder, walking up from `start`, whose package.json declares
 * `workspaces`. Throws when there is none (maas was installed outside its repository).
 */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces !== undefined) return dir;
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find the maas repository root above ${start}: no package.json with "workspaces".`,
      );
    }
    dir = parent;
  }
}

/**
 * Where maas keeps local state (the embedded database, the generated admin key): `MAAS_DATA_DIR`
 * resolved against the repository root (never the current folder), default `<root>/.maas`.
 */
export function resolveDataDir(
  setting: string | undefined = process.env.MAAS_DATA_DIR,
  repoRoot: string = findRepoRoot(),
): string {
  const value = setting?.trim();
  if (!value) return path.join(repoRoot, '.maas');
  return path.resolve(repoRoot, value);
}
