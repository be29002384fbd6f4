import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spoolToTempFile } from '../src/modules/models/model-upload.service';

describe('spoolToTempFile', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'maas-spool-'));
    // The usual umask leaves new files world-readable (0644) unless asked otherwise.
    umask = process.umask(0o022);
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the upload to a file only its owner can read (0600)', async () => {
    const spooled = await spoolToTempFile(Readable.from([Buffer.from('onnx bytes')]), 1024, dir);
    expect((await stat(spooled.filePath)).mode & 0o777).toBe(0o600);
    expect(await readFile(spooled.filePath, 'utf8')).toBe('onnx bytes');
    expect(spooled.sizeBytes).toBe(10);
  });
});
