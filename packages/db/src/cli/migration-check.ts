// `npm run migration:check -w @maas/db`: fails when the entities need schema changes that
// migrations/ does not make (runs the migrations on an empty scratch database, then asks TypeORM).
import { checkSchemaDrift } from '../schema/schema-diff';

async function main(): Promise<number> {
  const diff = await checkSchemaDrift(process.env.DATABASE_URL || undefined);
  if (diff.up.length === 0) {
    console.log('Schema check: migrations/ matches the entities.');
    return 0;
  }
  console.error('Schema drift: the entities need changes no migration makes:\n');
  for (const statement of diff.up) console.error(`  ${statement.query};`);
  console.error('\nRun `npm run migration:generate -w @maas/db -- <Name>` and commit the file.');
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
