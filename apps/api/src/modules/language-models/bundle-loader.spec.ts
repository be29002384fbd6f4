import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimBundleScratchDir } from './bundle-loader';

const parents: string[] = [];
afterAll(async () => {
  for (const p of parents) await rm(p, { recursive: true, force: true });
});

describe('claimBundleScratchDir', () => {
  it('removes the folders of API processes that are gone, and keeps live ones and other names', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'bundle-scratch-'));
    parents.push(parent);
    // A pid that ran and ended: a child that exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const gone = join(parent, `${dead}-abc`);
    await mkdir(join(gone, 'v1'), { recursive: true });
    await writeFile(join(gone, 'v1', 'model.onnx'), 'x'.repeat(1000));
    const live = join(parent, `${process.ppid}-def`); // the test runner's parent: running
    await mkdir(live);
    const other = join(parent, 'not-a-pid');
    await mkdir(other);

    const mine = await claimBundleScratchDir(parent);
    expect(dirname(mine)).toBe(parent);
    expect(basename(mine).startsWith(`${process.pid}-`)).toBe(true);
    expect(existsSync(gone)).toBe(false);
    expect((await readdir(parent)).sort()).toEqual(
      [basename(live), basename(mine), 'not-a-pid'].sort(),
    );
    // A second loader in the same process keeps the first one's folder.
    const second = await claimBundleScratchDir(parent);
    expect(existsSync(mine)).toBe(true);
    expect(existsSync(second)).toBe(true);
  });
});
