// The demo language models: what `npm start` seeds into an empty database and what
// `npm run make:demo-bundle` writes for the docs' walkthrough. One home for their options, so
// the seed, the script and the tests that hold them to an oracle build the same bytes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type BundleFiles,
  type TarBundleOptions,
  type TinyBertBundle,
  type TinyBertOptions,
  type TinyGpt2Bundle,
  type TinyGpt2Options,
  tarBundle,
  tinyBertBundle,
  tinyGpt2Bundle,
  writeBundle,
} from './language-model-bundles';

/**
 * The demo chat model: the tiny GPT-2 with its ChatML template and GPT-2's own context length
 * (1,024 positions cost 128 KB), so a chat with a system prompt and a few turns fits.
 */
export const DEMO_CHAT_MODEL_OPTIONS: Readonly<TinyGpt2Options> = Object.freeze({
  contextLength: 1024,
  chatTemplate: true,
  seed: 1,
});

/** The demo embedding model: the tiny BERT, mean pooling, BERT's 512 positions. */
export const DEMO_EMBEDDING_MODEL_OPTIONS: Readonly<TinyBertOptions> = Object.freeze({
  contextLength: 512,
  pooling: 'mean',
  seed: 2,
});

/** The demo chat model's bundle (random seeded weights: it answers gibberish). */
export function demoChatBundle(): TinyGpt2Bundle {
  return tinyGpt2Bundle(DEMO_CHAT_MODEL_OPTIONS);
}

/** The demo embedding model's bundle (random seeded weights). */
export function demoEmbeddingBundle(): TinyBertBundle {
  return tinyBertBundle(DEMO_EMBEDDING_MODEL_OPTIONS);
}

/** A deterministic tar (or tar.gz) of in-memory bundle files, through a private temporary folder. */
export async function tarBundleFiles(
  files: BundleFiles,
  options: TarBundleOptions = {},
): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'maas-bundle-'));
  try {
    writeBundle(dir, files);
    return await tarBundle(dir, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Which demo bundle. */
export type DemoBundleKind = 'chat' | 'embedding';

/** The demo bundle of `kind` as an archive, ready for `POST /v1/models/{name}/versions`. */
export async function demoBundleArchive(
  kind: DemoBundleKind,
  options: TarBundleOptions = {},
): Promise<Buffer> {
  const bundle = kind === 'chat' ? demoChatBundle() : demoEmbeddingBundle();
  return tarBundleFiles(bundle.files, options);
}

/** Writes the demo bundle of `kind` to `file` as a tar (tar.gz with `gzip`); returns its size. */
export async function writeDemoBundleArchive(
  file: string,
  kind: DemoBundleKind,
  options: TarBundleOptions = {},
): Promise<number> {
  const archive = await demoBundleArchive(kind, options);
  await writeFile(file, archive);
  return archive.length;
}
