import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CsvIngestThreads,
  DatasetError,
  decodeColumns,
  ingestCsvFileInThread,
  parseCsvDataset,
} from '../src';

async function failure(
  csv: string | Readable,
  opts: Parameters<typeof parseCsvDataset>[1],
): Promise<DatasetError> {
  const error = await parseCsvDataset(csv, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

/** A stream that fails the test if more than `max` chunks are pulled from it. */
function endless(first: string, repeat: string, max: number): Readable & { pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    read() {
      pulled++;
      if (pulled > max) this.destroy(new Error(`read ${max} chunks: the limit did not stop it`));
      else this.push(pulled === 1 ? first : repeat);
    },
  });
  return Object.assign(stream, { pulled: () => pulled });
}

describe('CSV limits', () => {
  it('refuses too many columns as soon as the header goes over, without reading on', async () => {
    const input = endless('c0', ',c'.repeat(10_000), 1000);
    const error = await failure(input, { maxColumns: 50 });
    expect(error).toMatchObject({ code: 'LIMIT', limit: 'maxColumns', line: 1 });
    expect(error.message).toMatch(/more than 50 columns/);
    expect(input.pulled()).toBeLessThan(5);
  });

  it('counts quoted delimiters and line breaks as part of a field', async () => {
    const ds = await parseCsvDataset('a,b\n"x,y,z","1\n2"\n', { maxColumns: 2 });
    expect(ds.rowCount).toBe(1);
    await expect(parseCsvDataset('a,b\n"x,""y"",z",2\n', { maxColumns: 2 })).resolves.toMatchObject(
      { rowCount: 1 },
    );
  });

  it('refuses a field or a line over its limit, naming the line', async () => {
    const cell = await failure(`a,b\n1,2\n3,${'x'.repeat(101)}\n`, { maxCellBytes: 100 });
    expect(cell).toMatchObject({ code: 'LIMIT', limit: 'maxCellBytes', line: 3 });
    // A field of exactly the limit passes.
    await expect(
      parseCsvDataset(`a,b\n1,${'x'.repeat(100)}\n`, { maxCellBytes: 100 }),
    ).resolves.toMatchObject({ rowCount: 1 });
    const endlessCell = endless('a\n', 'y'.repeat(65_536), 100);
    expect(await failure(endlessCell, { maxCellBytes: 1_000_000 })).toMatchObject({
      limit: 'maxCellBytes',
    });
    expect(endlessCell.pulled()).toBeLessThan(20);
    const line = await failure(`a,b,c\n${'1,'.repeat(40)}1\n`, {
      maxLineBytes: 50,
      maxColumns: 100,
    });
    expect(line).toMatchObject({ code: 'LIMIT', limit: 'maxLineBytes', line: 2 });
  });

  it('refuses more rows or cells than allowed', async () => {
    const rows = `a\n${'1\n'.repeat(11)}`;
    expect(await failure(rows, { maxRows: 10 })).toMatchObject({ limit: 'maxRows', line: 12 });
    await expect(parseCsvDataset(`a\n${'1\n'.repeat(10)}`, { maxRows: 10 })).resolves.toMatchObject(
      { rowCount: 10 },
    );
    const cells = await failure(`a,b,c\n${'1,2,3\n'.repeat(5)}`, { maxCells: 12 });
    expect(cells).toMatchObject({ limit: 'maxCells' });
    expect(cells.message).toMatch(/at most 4 rows of this width/);
  });

  it('parses on a thread of its own: columns to a file, stats and a bounded preview back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'maas-ingest-'));
    try {
      const csvPath = path.join(dir, 'in.csv');
      const columnsPath = path.join(dir, 'columns.bin');
      const lines = ['x,label'];
      for (let i = 0; i < 50; i++) lines.push(`${i},${'w'.repeat(20)}${i}`);
      await writeFile(csvPath, lines.join('\n'));
      const result = await ingestCsvFileInThread({
        csvPath,
        columnsPath,
        previewMaxRows: 40,
        previewMaxBytes: 400,
      });
      expect(result.rowCount).toBe(50);
      expect(result.stats[0]).toMatchObject({ name: 'x', type: 'numeric', min: 0, max: 49 });
      // Each preview row is ~35 bytes of JSON: 400 bytes hold 11 of them, not 40.
      expect(result.previewRows.length).toBeGreaterThan(5);
      expect(result.previewRows.length).toBeLessThan(12);
      expect(result.previewRows[0]).toEqual({ x: 0, label: `${'w'.repeat(20)}0` });
      const columns = decodeColumns(await readFile(columnsPath));
      expect(columns.rowCount).toBe(50);

      await writeFile(csvPath, `a,b,c\n1,2,3\n`);
      const refused = await ingestCsvFileInThread({
        csvPath,
        columnsPath,
        options: { maxColumns: 2 },
        previewMaxRows: 1,
        previewMaxBytes: 1000,
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DatasetError);
      expect(refused).toMatchObject({ code: 'LIMIT', limit: 'maxColumns', line: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs at most the allowed number of ingest threads at once, the rest in turn', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'maas-ingest-'));
    try {
      const threads = new CsvIngestThreads(1);
      const jobs = [1, 2, 3].map(async (n) => {
        const csvPath = path.join(dir, `${n}.csv`);
        await writeFile(csvPath, `a\n${'1\n'.repeat(n)}`);
        return threads.ingest({
          csvPath,
          columnsPath: `${csvPath}.columns`,
          previewMaxRows: 1,
          previewMaxBytes: 100,
        });
      });
      const results = await Promise.all(jobs);
      expect(results.map((r) => r.rowCount)).toEqual([1, 2, 3]);
      // A failure frees its slot too.
      await writeFile(path.join(dir, 'bad.csv'), 'a,b\n1\n');
      await expect(
        threads.ingest({
          csvPath: path.join(dir, 'bad.csv'),
          columnsPath: path.join(dir, 'bad.columns'),
          previewMaxRows: 1,
          previewMaxBytes: 100,
        }),
      ).rejects.toBeInstanceOf(DatasetError);
      await expect(
        threads.ingest({
          csvPath: path.join(dir, '1.csv'),
          columnsPath: path.join(dir, 'again.columns'),
          previewMaxRows: 1,
          previewMaxBytes: 100,
        }),
      ).resolves.toMatchObject({ rowCount: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
