import { badInput, type UserError } from '../../common/errors';

/** Longest path of a file in a bundle, in UTF-8 bytes (the manifest's column holds 512). */
export const MAX_BUNDLE_PATH_BYTES = 512;

/** The entry name as a user wrote it, quoted and cut short for messages. */
export function quoteEntry(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return JSON.stringify(shown);
}

/** 400 BAD_USER_INPUT about one archive entry, naming it in the message and in `entry`. */
export function badEntry(name: string, problem: string): UserError {
  return badInput(`The bundle's entry ${quoteEntry(name)} ${problem}`, { entry: name });
}

/**
 * An archive entry's name as a safe relative path: `/`-separated components, none empty, `.`
 * or `..`, no leading `/`, no backslash or control characters. A leading `./` (as `tar -C dir .`
 * writes) and a directory's trailing `/` are dropped. `null` for the archive's root itself (`./`).
 */
export function safeEntryPath(name: string): string | null {
  if (name.startsWith('/')) throw badEntry(name, 'is an absolute path: paths must be relative');

  if (/[\u0000-\u001f\u007f\\]/.test(name))
    throw badEntry(name, 'has a backslash or a control character in its name');
  const parts = name.split('/');
  while (parts[0] === '.') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0) return null;
  for (const part of parts) {
    if (part === '..') throw badEntry(name, 'goes up a folder (..): paths must stay in the bundle');
    if (part === '' || part === '.')
      throw badEntry(name, 'has an empty or "." component: write each path once, plainly');
  }
  const path = parts.join('/');
  if (Buffer.byteLength(path) > MAX_BUNDLE_PATH_BYTES)
    throw badEntry(name, `is longer than ${MAX_BUNDLE_PATH_BYTES} bytes`);
  return path;
}

/**
 * The entries seen so far: refuses a second entry with a path already seen, a file where a
 * folder is (or the reverse), and more than `maxEntries` entries in all.
 */
export class BundleEntries {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();
  private count = 0;

  constructor(private readonly maxEntries: number) {}

  private countOne(name: string): void {
    if (++this.count > this.maxEntries)
      throw badEntry(
        name,
        `is one entry too many: a bundle holds at most MAX_BUNDLE_FILES (${this.maxEntries}) files and folders`,
      );
  }

  /** A folder entry (or a file's parent folders). */
  addFolder(name: string, path: string): void {
    if (this.files.has(path)) throw badEntry(name, 'is a folder with the path of a file');
    if (this.folders.has(path)) return;
    this.countOne(name);
    this.folders.add(path);
  }

  /** A regular file entry. */
  addFile(name: string, path: string): void {
    if (this.files.has(path)) throw badEntry(name, 'appears twice in the archive');
    if (this.folders.has(path)) throw badEntry(name, 'is a file with the path of a folder');
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (this.files.has(parent))
        throw badEntry(name, `is inside ${quoteEntry(parent)}, which is a file`);
      this.addFolder(name, parent);
    }
    this.countOne(name);
    this.files.add(path);
  }
}
