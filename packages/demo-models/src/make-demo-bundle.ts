// `npm run make:demo-bundle -- [--embedding] [--gzip] <file>`: writes the demo chat model (or
// the demo embedding model) as an uploadable bundle archive, the one `npm start` seeds.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type DemoBundleKind, writeDemoBundleArchive } from './demo-bundles';

const USAGE = `Usage: npm run make:demo-bundle -- [--embedding] [--gzip] <file>

Writes a tiny demo language model as a bundle archive for POST /v1/models/{name}/versions:
by default the chat model (a 2-layer GPT-2 with GPT-2's tokenizer and a ChatML template), with
--embedding the embedding model (a 2-layer BERT, mean pooling). Its weights are random: it
shows the plumbing, and answers gibberish. --gzip writes a tar.gz instead of a tar.`;

/** What the command line asks for, or a message saying what is wrong with it. */
export function parseMakeDemoBundleArgs(
  argv: readonly string[],
): { file: string; kind: DemoBundleKind; gzip: boolean } | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        embedding: { type: 'boolean', default: false },
        gzip: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (parsed.values.help) return { error: '' };
  if (parsed.positionals.length !== 1) return { error: 'Name one output file.' };
  const file = parsed.positionals[0] ?? '';
  return {
    file,
    kind: parsed.values.embedding ? 'embedding' : 'chat',
    gzip: parsed.values.gzip,
  };
}

async function main(): Promise<number> {
  const args = parseMakeDemoBundleArgs(process.argv.slice(2));
  if ('error' in args) {
    if (args.error) process.stderr.write(`${args.error}\n\n`);
    process.stderr.write(`${USAGE}\n`);
    return args.error ? 2 : 0;
  }
  const bytes = await writeDemoBundleArchive(path.resolve(args.file), args.kind, {
    gzip: args.gzip,
  });
  const what = args.kind === 'chat' ? 'demo chat model' : 'demo embedding model';
  process.stdout.write(
    `Wrote ${args.file} (${bytes} bytes): the ${what}, random weights (it answers gibberish).\n`,
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`make-demo-bundle: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
