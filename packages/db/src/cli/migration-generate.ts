// `npm run migration:generate -w @maas/db -- <PascalName>`: writes migrations/<ts>-<Name>.ts with
// what the entities need beyond the existing migrations (on a scratch database; DATABASE_URL, if
// set, is used as the admin connection of an external server instead of an embedded one).
import path from 'node:path';
import { generateMigration } from '../schema/schema-diff';

async function main(): Promise<number> {
  const name = process.argv[2];
  if (!name || process.argv.length > 3) {
    console.error('Usage: npm run migration:generate -w @maas/db -- <PascalCaseName>');
    return 2;
  }
  const file = await generateMigration({ name, adminUrl: process.env.DATABASE_URL || undefined });
  if (!file) {
    console.error('No schema changes: the entities and migrations/ agree, nothing generated.');
    return 1;
  }
  console.log(`Wrote ${path.relative(process.cwd(), file)}. Review it, then build @maas/db.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
