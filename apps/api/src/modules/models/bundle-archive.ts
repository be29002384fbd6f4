import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import yauzl from 'yauzl';
import { badInput, payloadTooLarge, UserError } from '../../common/errors';
import { badEntry, BundleEntries, safeEntryPath } from './bundle-paths';

/** The archive formats a bundle upload may use, by its Content-Type. */
export type BundleFormat = 'tar' | 'tar.gz' | 'zip';

const FORMAT_BY_MEDIA_TYPE: Readonly<Record<string, BundleFormat>> = {
  'application/x-tar': 'tar',
  'application/gzip': 'tar.gz',
  'application/x-gzip': 'tar.gz',
  'application/zip': 'zip',
};

/** The bundle format a request's Content-Type names; `null`: a single ONNX file, as always. */
export function bundleFormatOf(contentType: string | undefined): BundleFormat | null {
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return FORMAT_BY_MEDIA_TYPE[media] ?? null;
}

/** Bounds of one bundle upload. */
export interface BundleLimits {
  /** MAX_BUNDLE_BYTES: the archive as sent, its tar stream once decompressed, and its files. */
  maxBytes: number;
  /** MAX_BUNDLE_FILES: files and folders. */
  maxFiles: number;
}

/** A file extracted from the archive, under the extraction folder. */
export interface ExtractedFile {
  /** The safe relative path in the archive (a top folder still included). */
  path: string;
  diskPath: string;
  sizeBytes: number;
  sha256: string;
}

/** What {@link extractBundle} wrote: remove `dir` when done. */
export interface ExtractedBundle {
  dir: string;
  /** sha256 and size of the archive's bytes as sent (what an idempotent retry must repeat). */
  archiveSha256: string;
  archiveBytes: number;
  files: ExtractedFile[];
}

// Headers of pax and GNU long-name entries are held in memory while read: 1 MiB each at most.
const MAX_TAR_META_BYTES = 1_048_576;

const bundleTooLarge = (what: string, limits: BundleLimits) =>
  payloadTooLarge(what, 'MAX_BUNDLE_BYTES', limits.maxBytes);

/** Counts (and optionally hashes) the bytes passing, failing with `tooLarge` past `max`. */
function meter(
  max: number,
  tooLarge: () => Error,
  hash?: ReturnType<typeof createHash>,
): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      t.bytes += chunk.length;
      if (t.bytes > max) return done(tooLarge());
      hash?.update(chunk);
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** Where extracted files go, with the bounds on their number and their bytes in total. */
class ExtractionTarget {
  readonly entries: BundleEntries;
  readonly files: ExtractedFile[] = [];
  private totalBytes = 0;

  constructor(
    readonly dir: string,
    private readonly limits: BundleLimits,
  ) {
    this.entries = new BundleEntries(limits.maxFiles);
  }

  folder(name: string): void {
    const p = safeEntryPath(name);
    if (p !== null) this.entries.addFolder(name, p);
  }

  /** Checks a file entry before a byte of it is read; returns its path, or null for the root. */
  admitFile(name: string, declaredBytes: number): string {
    const p = safeEntryPath(name);
    if (p === null) throw badEntry(name, 'is a file with the name of the archive root');
    this.entries.addFile(name, p);
    if (this.totalBytes + declaredBytes > this.limits.maxBytes)
      throw bundleTooLarge("The total of the bundle's files", this.limits);
    return p;
  }

  /** Streams one admitted file to disk (0600, never over an existing file) while hashing it. */
  async write(p: string, source: AsyncIterable<Buffer> | Readable): Promise<void> {
    const diskPath = path.join(this.dir, 'files', ...p.split('/'));
    await mkdir(path.dirname(diskPath), { recursive: true, mode: 0o700 });
    const hash = createHash('sha256');
    const counted = meter(
      this.limits.maxBytes - this.totalBytes,
      () => bundleTooLarge("The total of the bundle's files", this.limits),
      hash,
    );
    await pipeline(source, counted, createWriteStream(diskPath, { flags: 'wx', mode: 0o600 }));
    this.totalBytes += counted.bytes;
    this.files.push({ path: p, diskPath, sizeBytes: counted.bytes, sha256: hash.digest('hex') });
  }
}

const REGULAR_TAR_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const TAR_TYPE_PROBLEMS: Readonly<Record<string, string>> = {
  SymbolicLink: 'is a symbolic link',
  Link: 'is a hard link',
  CharacterDevice: 'is a character device',
  BlockDevice: 'is a block device',
  FIFO: 'is a FIFO',
};

async function extractTarEntry(target: ExtractionTarget, entry: ReadEntry): Promise<void> {
  const name = entry.path;
  if (entry.type === 'Directory') {
    target.folder(name);
    entry.resume();
    return;
  }
  if (!REGULAR_TAR_TYPES.has(entry.type)) {
    const problem = TAR_TYPE_PROBLEMS[entry.type] ?? `is a ${entry.type} entry`;
    throw badEntry(name, `${problem}: a bundle holds regular files and folders only`);
  }
  const p = target.admitFile(name, entry.size ?? 0);
  await target.write(p, entry as unknown as AsyncIterable<Buffer>);
}

// A compressed stream where a tar stream should begin: node-tar would decompress it unbounded.
function compressedMagic(head: Buffer): string | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return null;
}

/** Reads a tar stream entry by entry into `target`: never more than one entry in flight. */
async function extractTar(
  tarStream: AsyncIterable<Buffer>,
  target: ExtractionTarget,
  gzipped: boolean,
): Promise<void> {
  // Decompression is ours (counted); node-tar is told the stream is a plain tar.
  const parser = new Parser({
    strict: true,
    maxMetaEntrySize: MAX_TAR_META_BYTES,
    brotli: false,
    zstd: false,
  });
  const state: { failure: Error | null } = { failure: null };
  const pending: Promise<void>[] = [];
  let ended = false;
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('end', () => {
      ended = true;
      resolve();
    });
    parser.on('error', (err: Error) =>
      reject(badInput(`Not a usable tar archive: ${err.message}`)),
    );
  });
  finished.catch(() => undefined);
  parser.on('entry', (entry: ReadEntry) => {
    if (state.failure !== null) {
      entry.resume();
      return;
    }
    pending.push(
      extractTarEntry(target, entry).catch((err: unknown) => {
        state.failure ??= err instanceof Error ? err : new Error(String(err));
        entry.resume();
      }),
    );
  });
  let first = true;
  for await (const chunk of tarStream) {
    if (first) {
      first = false;
      const inner = compressedMagic(chunk);
      if (inner)
        throw badInput(
          gzipped
            ? `The archive is compressed twice (${inner} inside gzip): send one tar.gz`
            : `The body is ${inner}-compressed: send a tar.gz as Content-Type application/gzip`,
        );
    }
    if (state.failure !== null) break;
    // After the end-of-archive blocks the rest is only read (hashed and counted), not parsed.
    if (ended) continue;
    if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), finished]);
  }
  if (state.failure === null && !ended) {
    parser.end();
    await finished;
  }
  await Promise.all(pending);
  if (state.failure !== null) throw state.failure;
  if (first) throw badInput('The request body is empty: send the bundle as the body');
}

function zipError(err: Error): Error {
  return badInput(`Not a usable zip archive: ${err.message}`);
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (err, zip) => (err ? reject(zipError(err)) : resolve(zip)),
    );
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const S_IFMT = 0o170000;
const ZIP_TYPE_PROBLEMS: Readonly<Record<number, string>> = {
  0o120000: 'is a symbolic link',
  0o020000: 'is a character device',
  0o060000: 'is a block device',
  0o010000: 'is a FIFO',
  0o140000: 'is a socket',
};

async function extractZipEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  target: ExtractionTarget,
): Promise<void> {
  let name: string;
  try {
    name = utf8.decode(entry.fileName as unknown as Buffer);
  } catch {
    throw badInput('A bundle entry has a name that is not UTF-8: name files in UTF-8');
  }
  // Unix modes (made on Unix: upper byte of "version made by" is 3) sit in the upper 16 bits.
  const unixType =
    entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0;
  const problem = ZIP_TYPE_PROBLEMS[unixType];
  if (problem) throw badEntry(name, `${problem}: a bundle holds regular files and folders only`);
  if (name.endsWith('/') || unixType === 0o040000) {
    target.folder(name);
    return;
  }
  if (entry.isEncrypted()) throw badEntry(name, 'is encrypted: send it unencrypted');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    throw badEntry(
      name,
      `uses compression method ${entry.compressionMethod}: only stored and deflated entries are read`,
    );
  const p = target.admitFile(name, entry.uncompressedSize);
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) =>
      err ? reject(badEntry(name, `cannot be read: ${err.message}`)) : resolve(s),
    ),
  );
  try {
    await target.write(p, stream);
  } catch (err) {
    if (err instanceof UserError || !(err instanceof Error)) throw err;
    // yauzl's size check (the data does not match the declared size) or bad deflate data.
    const code = (err as { code?: string }).code;
    if (code === undefined || code.startsWith('Z_'))
      throw badEntry(name, `cannot be read: ${err.message}`);
    throw err;
  }
}

/** Reads a zip file (spooled to disk: its directory is at the end) entry by entry. */
async function extractZip(file: string, target: ExtractionTarget, maxFiles: number): Promise<void> {
  const zip = await openZip(file);
  try {
    if (zip.entryCount > maxFiles)
      throw badInput(
        `The bundle has ${zip.entryCount} entries: at most MAX_BUNDLE_FILES (${maxFiles}) files and folders`,
      );
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(zipError(err)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        extractZipEntry(zip, entry, target).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/**
 * Streams a bundle upload into a new private folder under `tmpRoot`: a tar (or tar.gz) entry by
 * entry straight from the body, a zip after spooling it to a 0600 file. Refuses with 400
 * `BAD_USER_INPUT` naming the entry an unsafe one (absolute, `..`, a link or device, a
 * duplicate) or one too many, and with 413 a body, decompressed stream or files past
 * MAX_BUNDLE_BYTES. On failure nothing is left on disk.
 */
export async function extractBundle(
  body: Readable,
  format: BundleFormat,
  limits: BundleLimits,
  tmpRoot = tmpdir(),
): Promise<ExtractedBundle> {
  const dir = await mkdtemp(path.join(tmpRoot, 'maas-bundle-'));
  const target = new ExtractionTarget(dir, limits);
  const archiveHash = createHash('sha256');
  const archive = meter(limits.maxBytes, () => bundleTooLarge('The bundle', limits), archiveHash);
  try {
    if (format === 'zip') {
      const file = path.join(dir, `archive-${randomUUID()}.zip`);
      await pipeline(body, archive, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
      if (archive.bytes === 0)
        throw badInput('The request body is empty: send the bundle as the body');
      await extractZip(file, target, limits.maxFiles);
      await rm(file, { force: true });
    } else {
      let tarStream: Readable = body.pipe(archive);
      body.on('error', (err) => archive.destroy(err));
      if (format === 'tar.gz') {
        const gunzip = createGunzip();
        const unpacked = meter(limits.maxBytes, () =>
          bundleTooLarge('The bundle, decompressed,', limits),
        );
        archive.on('error', (err) => gunzip.destroy(err));
        gunzip.on('error', (err) => unpacked.destroy(err));
        tarStream = archive.pipe(gunzip).pipe(unpacked);
      }
      try {
        await extractTar(tarStream, target, format === 'tar.gz');
      } catch (err) {
        tarStream.destroy();
        if (err instanceof Error && (err as { code?: string }).code === 'Z_DATA_ERROR')
          throw badInput(`Not a usable gzip stream: ${err.message}`);
        throw err;
      }
    }
  } catch (err) {
    body.resume();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    archiveSha256: archiveHash.digest('hex'),
    archiveBytes: archive.bytes,
    files: target.files,
  };
}
