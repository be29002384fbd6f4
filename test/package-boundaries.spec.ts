// The workspaces' boundaries, checked: every @maas/* import is declared by the importing workspace
// and goes through the target's `exports` map (no deep `src/` or `dist/` paths), and no relative
// import leaves its workspace (but for the repository's root tool configuration).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP = new Set(['node_modules', 'dist', '.next', '.turbo', 'coverage', 'screenshots']);
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]([^'"\n]+)['"]/g;

interface Workspace {
  name: string;
  dir: string;
  declared: Set<string>;
  exports?: Record<string, unknown>;
}

function manifest(dir: string): Workspace {
  const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    name: string;
    exports?: Record<string, unknown>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const declared = new Set(
    [json.dependencies, json.devDependencies, json.peerDependencies].flatMap((d) =>
      Object.keys(d ?? {}),
    ),
  );
  return { name: json.name, dir, declared, exports: json.exports };
}

const workspaces = ['packages', 'apps'].flatMap((group) =>
  readdirSync(path.join(ROOT, group))
    .map((name) => path.join(ROOT, group, name))
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map(manifest),
);
const byName = new Map(workspaces.map((w) => [w.name, w]));
// The root's own test harness and scripts, with the root manifest.
const root: Workspace = { ...manifest(ROOT), dir: ROOT };

function sourceFiles(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, into);
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) into.push(full);
  }
  return into;
}

/** `[file, specifier]` for every import in `files`. */
function imports(files: string[]): [string, string][] {
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m): [string, string] => [
      file,
      m[1] as string,
    ]),
  );
}

/** What is wrong with `file` (in `owner`) importing `spec`, or undefined. */
function problem(owner: Workspace, file: string, spec: string): string | undefined {
  const where = `${path.relative(ROOT, file)} imports '${spec}'`;
  if (spec.startsWith('.')) {
    const target = path.resolve(path.dirname(file), spec);
    const inside = path.relative(owner.dir, target);
    // The repository's shared tool configuration (eslint.config.mjs) is everyone's.
    const rootConfig = path.dirname(target) === ROOT;
    if ((inside.startsWith('..') || path.isAbsolute(inside)) && !rootConfig)
      return `${where}: outside its workspace`;
    const other = workspaces.find((w) => w !== owner && target.startsWith(w.dir + path.sep));
    return other ? `${where}: inside ${other.name}` : undefined;
  }
  const match = /^(@maas\/[^/]+)(\/.*)?$/.exec(spec);
  if (!match) return undefined;
  const [, name = '', subpath] = match;
  const target = byName.get(name);
  if (!target) return `${where}: no such workspace`;
  if (target !== owner && !owner.declared.has(name))
    return `${where}: ${name} is not in ${owner.name}'s package.json`;
  if (!target.exports) return `${where}: ${name} has no "exports" map`;
  if (subpath && !(`.${subpath}` in target.exports))
    return `${where}: '.${subpath}' is not in ${name}'s "exports"`;
  return undefined;
}

describe('package boundaries', () => {
  it('finds the workspaces and their imports (the check below has something to check)', () => {
    expect(byName.has('@maas/inference')).toBe(true);
    expect(imports(sourceFiles(byName.get('@maas/api')?.dir ?? ROOT)).length).toBeGreaterThan(100);
  });

  it('imports other workspaces only as declared dependencies, through their exports maps', () => {
    const problems = [
      ...workspaces.flatMap((w) =>
        imports(sourceFiles(w.dir)).map(([file, spec]) => problem(w, file, spec)),
      ),
      ...['test', 'scripts']
        .map((dir) => path.join(ROOT, dir))
        .filter((dir) => existsSync(dir))
        .flatMap((dir) =>
          imports(sourceFiles(dir)).map(([file, spec]) => problem(root, file, spec)),
        ),
    ].filter((p): p is string => p !== undefined);
    expect(problems).toEqual([]);
  });

  it('keeps @maas/inference free of the database layer and @maas/testing out of runtime dependencies', () => {
    expect(byName.get('@maas/inference')?.declared.has('@maas/db')).toBe(false);
    const runtime = workspaces.filter((w) => {
      const json = JSON.parse(readFileSync(path.join(w.dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      return '@maas/testing' in (json.dependencies ?? {});
    });
    expect(runtime.map((w) => w.name)).toEqual([]);
  });
});
