// The demo bundles: their options reach the files, their archives are deterministic and hold
// exactly the bundle's files, and the command line asks for what it says.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Parser } from 'tar';
import { demoBundleArchive, demoChatBundle, demoEmbeddingBundle } from './demo-bundles';
import { parseMakeDemoBundleArgs } from './make-demo-bundle';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** path → sha256 of every file entry of a tar (or tar.gz). */
async function entries(archive: Buffer): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => found.set(entry.path, sha256(Buffer.concat(chunks))));
      },
    });
    parser.on('end', resolve);
    parser.on('error', reject);
    Readable.from([archive]).pipe(parser);
  });
  return found;
}

const config = (files: Map<string, Uint8Array>, name: string) =>
  JSON.parse(new TextDecoder().decode(files.get(name))) as Record<string, unknown>;

describe('the demo bundles', () => {
  it('carry the demo options into their files', () => {
    const chat = demoChatBundle().files;
    expect(config(chat, 'config.json')).toMatchObject({ model_type: 'gpt2', n_positions: 1024 });
    expect(config(chat, 'tokenizer_config.json').chat_template).toContain('<|im_start|>');
    const embedding = demoEmbeddingBundle().files;
    expect(config(embedding, 'config.json')).toMatchObject({
      model_type: 'bert',
      max_position_embeddings: 512,
    });
    expect(config(embedding, '1_Pooling/config.json')).toMatchObject({
      pooling_mode_mean_tokens: true,
      pooling_mode_cls_token: false,
    });
  });

  it('archive to the same bytes every time, holding exactly the bundle files', async () => {
    for (const [kind, bundle] of [
      ['chat', demoChatBundle()],
      ['embedding', demoEmbeddingBundle()],
    ] as const) {
      const first = await demoBundleArchive(kind);
      expect(sha256(await demoBundleArchive(kind))).toBe(sha256(first));
      const expected = new Map([...bundle.files].map(([name, bytes]) => [name, sha256(bytes)]));
      expect(await entries(first)).toEqual(expected);
      const gzipped = await demoBundleArchive(kind, { gzip: true });
      expect([...gzipped.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      expect(await entries(gzipped)).toEqual(expected);
    }
  });
});

describe('make-demo-bundle arguments', () => {
  it('takes one file, --embedding and --gzip', () => {
    expect(parseMakeDemoBundleArgs(['model.tar'])).toEqual({
      file: 'model.tar',
      kind: 'chat',
      gzip: false,
    });
    expect(parseMakeDemoBundleArgs(['--embedding', '--gzip', 'e.tar.gz'])).toEqual({
      file: 'e.tar.gz',
      kind: 'embedding',
      gzip: true,
    });
  });

  it('refuses no file, two files and unknown options, and answers --help', () => {
    expect(parseMakeDemoBundleArgs([])).toEqual({ error: 'Name one output file.' });
    expect(parseMakeDemoBundleArgs(['a.tar', 'b.tar'])).toEqual({
      error: 'Name one output file.',
    });
    expect(parseMakeDemoBundleArgs(['--bogus', 'a.tar'])).toMatchObject({
      error: expect.stringContaining('--bogus'),
    });
    expect(parseMakeDemoBundleArgs(['--help'])).toEqual({ error: '' });
  });
});
