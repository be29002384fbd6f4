// docs/configuration.md must list every environment variable each process reads, with the
// default its schema applies, and nothing that no process reads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const DOC = 'docs/configuration.md';

/** A zod schema as far as this test needs it (duck-typed: every workspace may load its own zod). */
interface ZodObjectLike {
  shape: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }>;
  safeParse(value: unknown): unknown;
}

interface ProcessEnv {
  /** `api`, `worker`, `supervisor`, `console`, `inference-worker`… */
  process: string;
  files: string[];
  /** Variable name → the default the process applies when it is unset, when that is a plain value. */
  variables: Map<string, string | undefined>;
}

interface DocumentedVariable {
  section: string;
  name: string;
  /** The first `code` span of the default cell, if any. */
  default: string | undefined;
  line: number;
}

const IGNORED_DIRS = new Set(['node_modules', 'dist', '.next', '.turbo', 'gql']);

function walk(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!IGNORED_DIRS.has(entry.name)) walk(path.join(dir, entry.name), found);
    } else {
      found.push(path.join(dir, entry.name));
    }
  }
  return found;
}

/**
 * The env schema files: `apps/*\/src/env.ts`, `apps/*\/src/**\/env.ts`, `packages/*\/src/*env.ts`,
 * each with the process that reads it (`apps/inference-worker/src/env.ts` → `inference-worker`).
 */
function envFiles(): { file: string; process: string }[] {
  const out: { file: string; process: string }[] = [];
  for (const app of readdirSync(path.join(root, 'apps'))) {
    const src = path.join(root, 'apps', app, 'src');
    if (!existsSync(src)) continue;
    for (const file of walk(src))
      if (path.basename(file) === 'env.ts') out.push({ file, process: app });
  }
  for (const pkg of readdirSync(path.join(root, 'packages'))) {
    const src = path.join(root, 'packages', pkg, 'src');
    if (!existsSync(src)) continue;
    for (const name of readdirSync(src)) {
      const match = /^(?:(.+)-)?env\.ts$/.exec(name);
      if (match)
        out.push({ file: path.join(src, name), process: match[1] ? `${pkg}-${match[1]}` : pkg });
    }
  }
  return out;
}

function isZodObject(value: unknown): value is ZodObjectLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ZodObjectLike).safeParse === 'function' &&
    typeof (value as ZodObjectLike).shape === 'object'
  );
}

/** What a field yields when the variable is unset, if that is a plain string or number. */
function schemaDefault(field: ZodObjectLike['shape'][string]): string | undefined {
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return undefined;
  return typeof parsed.data === 'string' || typeof parsed.data === 'number'
    ? String(parsed.data)
    : undefined;
}

/**
 * A process without a zod schema (the console): the variables its env.ts reads from
 * `process.env`, and those its package.json scripts expand as `${NAME:-default}`.
 */
function sourceVariables(file: string): Map<string, string | undefined> {
  const variables = new Map<string, string | undefined>();
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/process\.env(?:\.([A-Za-z_]\w*)|\[['"]([A-Za-z_]\w*)['"]\])/g))
    variables.set((m[1] ?? m[2]) as string, undefined);
  const manifest = path.join(
    file.slice(0, file.lastIndexOf(`${path.sep}src${path.sep}`)),
    'package.json',
  );
  if (existsSync(manifest)) {
    const scripts = (
      JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }
    ).scripts;
    for (const script of Object.values(scripts ?? {})) {
      for (const m of script.matchAll(/\$\{([A-Za-z_]\w*)(?::-([^}]*))?\}/g))
        variables.set(m[1] as string, m[2]);
    }
  }
  return variables;
}

async function readProcessEnvs(): Promise<Map<string, ProcessEnv>> {
  const processes = new Map<string, ProcessEnv>();
  for (const { file, process: name } of envFiles()) {
    const entry: ProcessEnv = processes.get(name) ?? {
      process: name,
      files: [],
      variables: new Map<string, string | undefined>(),
    };
    processes.set(name, entry);
    entry.files.push(path.relative(root, file));
    const source = readFileSync(file, 'utf8');
    if (!/from ['"]zod['"]/.test(source)) {
      for (const [variable, fallback] of sourceVariables(file))
        entry.variables.set(variable, fallback);
      continue;
    }
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const schemas = Object.values(module).filter(isZodObject);
    if (schemas.length === 0) {
      throw new Error(
        `${path.relative(root, file)} uses zod but exports no schema object: export it (e.g. \`export const EnvSchema\`) so that this test can read its variables`,
      );
    }
    for (const schema of schemas) {
      for (const [variable, field] of Object.entries(schema.shape)) {
        const fallback = schemaDefault(field);
        if (!entry.variables.has(variable) || fallback !== undefined)
          entry.variables.set(variable, fallback);
      }
    }
  }
  return processes;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** Every row of every `| variable | default | meaning |` table, with the `## ` section it is in. */
function documentedVariables(markdown: string): DocumentedVariable[] {
  const rows: DocumentedVariable[] = [];
  let section = '';
  let inTable = false;
  markdown.split('\n').forEach((line, index) => {
    const heading = /^##\s+(\S+)/.exec(line);
    if (heading) {
      section = (heading[1] as string).toLowerCase();
      inTable = false;
      return;
    }
    if (!line.trim().startsWith('|')) {
      inTable = false;
      return;
    }
    const row = cells(line);
    if (!inTable) {
      inTable = row[0]?.toLowerCase() === 'variable' && row[1]?.toLowerCase() === 'default';
      return;
    }
    if (row.every((cell) => /^:?-+:?$/.test(cell))) return;
    const name = /^`([A-Za-z_]\w*)`$/.exec(row[0] ?? '')?.[1];
    if (!name)
      throw new Error(
        `${DOC}:${index + 1}: the first cell must be one \`VARIABLE\`, got "${row[0]}"`,
      );
    rows.push({ section, name, default: /`([^`]*)`/.exec(row[1] ?? '')?.[1], line: index + 1 });
  });
  return rows;
}

/** Variable names read as `process.env.NAME` anywhere in the workspaces' source (not tests). */
function variablesReadInSource(): Set<string> {
  const names = new Set<string>();
  const dirs = ['apps', 'packages'].flatMap((group) =>
    readdirSync(path.join(root, group)).map((ws) => path.join(root, group, ws)),
  );
  dirs.push(path.join(root, 'test'), path.join(root, 'scripts'));
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of walk(dir)) {
      if (!/\.(ts|tsx|mjs|js)$/.test(file) || /\.spec\.ts$/.test(file)) continue;
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(
        /process\.env(?:\.([A-Za-z_]\w*)|\[['"]([A-Za-z_]\w*)['"]\])/g,
      ))
        names.add((m[1] ?? m[2]) as string);
    }
  }
  return names;
}

describe(`${DOC}`, () => {
  let processes: Map<string, ProcessEnv>;
  let documented: DocumentedVariable[];

  beforeAll(async () => {
    processes = await readProcessEnvs();
    documented = documentedVariables(readFileSync(path.join(root, DOC), 'utf8'));
  });

  it('finds the env schema of every process', () => {
    expect([...processes.keys()].sort()).toEqual(
      expect.arrayContaining(['api', 'console', 'inference-worker', 'supervisor', 'worker']),
    );
    for (const entry of processes.values()) expect(entry.variables.size).toBeGreaterThan(0);
  });

  it('has a section for every process, listing every variable its schema reads', () => {
    const missing: string[] = [];
    for (const entry of processes.values()) {
      const listed = new Set(
        documented.filter((d) => d.section === entry.process).map((d) => d.name),
      );
      if (listed.size === 0) missing.push(`no "## ${entry.process}" section with a variable table`);
      for (const variable of entry.variables.keys()) {
        if (!listed.has(variable))
          missing.push(`${variable} (read by ${entry.process}, ${entry.files.join(', ')})`);
      }
    }
    expect(missing, `missing from ${DOC}`).toEqual([]);
  });

  it('lists no variable that the process does not read', () => {
    const extra = documented
      .filter((d) => processes.has(d.section) && !processes.get(d.section)?.variables.has(d.name))
      .map((d) => `${DOC}:${d.line} ${d.name} under "## ${d.section}"`);
    expect(extra, 'documented but read by no schema of that process').toEqual([]);
  });

  it('gives the default each schema applies', () => {
    const wrong: string[] = [];
    for (const d of documented) {
      const expected = processes.get(d.section)?.variables.get(d.name);
      if (expected !== undefined && d.default !== expected)
        wrong.push(
          `${DOC}:${d.line} ${d.name} (${d.section}): documented \`${d.default ?? ''}\`, the schema says \`${expected}\``,
        );
    }
    expect(wrong).toEqual([]);
  });

  it('documents only variables that some code reads, outside the process sections too', () => {
    const read = variablesReadInSource();
    const unknown = documented
      .filter((d) => !processes.has(d.section) && !read.has(d.name))
      .map((d) => `${DOC}:${d.line} ${d.name} under "## ${d.section}"`);
    expect(unknown, 'documented but read nowhere').toEqual([]);
  });
});
