// `npm run codegen:check`: regenerates the typed operations into a scratch folder (formatted by
// the same Prettier hook as `npm run codegen`) and fails if they differ from the committed src/gql.
// graphql-codegen's own --check compares before the formatting hook runs, so it always reports drift.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const consoleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const committedDir = path.join(consoleDir, 'src/gql');
// Inside the console folder so that Prettier finds the repository's config (and not a dot
// folder: Prettier skips those).
const scratchDir = mkdtempSync(path.join(consoleDir, 'codegen-check.tmp-'));

try {
  execFileSync('npx', ['graphql-codegen', '--config', 'codegen.ts', '--silent'], {
    cwd: consoleDir,
    stdio: 'inherit',
    env: { ...process.env, CODEGEN_OUTPUT_DIR: `${path.relative(consoleDir, scratchDir)}/` },
  });
  const list = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const generated = list(scratchDir);
  const committed = list(committedDir);
  const names = [...new Set([...generated, ...committed])].sort();
  const stale = names.filter((name) => {
    const read = (dir) =>
      existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : null;
    return read(scratchDir) !== read(committedDir);
  });
  if (stale.length > 0) {
    console.error(
      `src/gql is out of date with apps/api/schema.graphql or the documents: ${stale.join(', ')}.\n` +
        'Run `npm run codegen -w @maas/console` and commit the result.',
    );
    process.exitCode = 1;
  } else {
    console.log('src/gql matches the schema and the documents.');
  }
} finally {
  rmSync(scratchDir, { recursive: true, force: true });
}
