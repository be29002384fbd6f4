import { Readable } from 'node:stream';
import {
  BOOLEAN_NULL,
  DatasetError,
  decodeColumns,
  encodeColumns,
  parseCsvDataset,
  previewRows,
} from '../src';

async function expectDatasetError(
  csv: string | Readable,
  pattern: RegExp,
  opts = {},
): Promise<DatasetError> {
  const error = await parseCsvDataset(csv, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  expect((error as DatasetError).message).toMatch(pattern);
  return error as DatasetError;
}

describe('parseCsvDataset', () => {
  it('infers numeric, boolean and categorical columns with stats', async () => {
    const csv = 'x,flag,color,y\n1.5,true,red,2\n,FALSE,blue,4\n-2,true,,6\n3e1,NA,red,8\n';
    const ds = await parseCsvDataset(csv);
    expect(ds.rowCount).toBe(4);
    expect(ds.sizeBytes).toBe(Buffer.byteLength(csv));
    expect(ds.columns.map((c) => c.type)).toEqual(['numeric', 'boolean', 'categorical', 'numeric']);
    const [x, flag, color] = ds.columns;
    expect(x?.type === 'numeric' && Array.from(x.values)).toEqual([1.5, Number.NaN, -2, 30]);
    expect(flag?.type === 'boolean' && Array.from(flag.values)).toEqual([1, 0, 1, BOOLEAN_NULL]);
    expect(color?.type === 'categorical' && color.categories).toEqual(['blue', 'red']);
    expect(color?.type === 'categorical' && Array.from(color.codes)).toEqual([1, 0, -1, 1]);
    expect(ds.stats[0]).toEqual({
      name: 'x',
      type: 'numeric',
      nullCount: 1,
      min: -2,
      max: 30,
      mean: 29.5 / 3,
      distinct: 3,
    });
    expect(ds.stats[1]).toMatchObject({
      type: 'boolean',
      nullCount: 1,
      min: 0,
      max: 1,
      distinct: 2,
    });
    expect(ds.stats[1]?.mean).toBeCloseTo(2 / 3);
    expect(ds.stats[2]).toEqual({
      name: 'color',
      type: 'categorical',
      nullCount: 1,
      min: null,
      max: null,
      mean: null,
      distinct: 2,
    });
  });

  it('turns a column categorical when a word follows numbers or booleans, keeping spellings', async () => {
    const rows = ['v,b'];
    for (let i = 0; i < 3000; i++)
      rows.push(`${i % 3 === 0 ? '1.50' : '2'},${i % 2 ? 'True' : 'false'}`);
    rows.push('other,maybe');
    const ds = await parseCsvDataset(rows.join('\n'));
    const [v, b] = ds.columns;
    expect(v?.type).toBe('categorical');
    expect(v?.type === 'categorical' && v.categories).toEqual(['1.50', '2', 'other']);
    expect(v?.type === 'categorical' && Array.from(v.codes.subarray(0, 3))).toEqual([0, 1, 1]);
    expect(v?.type === 'categorical' && v.codes[3000]).toBe(2);
    expect(b?.type === 'categorical' && b.categories).toEqual(['True', 'false', 'maybe']);
  });

  it('fills leading missing values once the type is known, and handles quoted fields and CRLF', async () => {
    const ds = await parseCsvDataset('\uFEFFa,"b, c"\r\n,"x\ny"\r\nNULL,z\r\n7,"w"\r\n\r\n');
    expect(ds.columns[0]?.type === 'numeric' && Array.from(ds.columns[0].values)).toEqual([
      Number.NaN,
      Number.NaN,
      7,
    ]);
    expect(ds.columns[1]?.name).toBe('b, c');
    expect(ds.columns[1]?.type === 'categorical' && ds.columns[1].categories).toEqual([
      'w',
      'x\ny',
      'z',
    ]);
  });

  it('streams from a Readable in small chunks', async () => {
    const text = 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i % 7}`).join('\n');
    const chunks = text.match(/[\s\S]{1,97}/g) ?? [];
    const ds = await parseCsvDataset(Readable.from(chunks.map((c) => Buffer.from(c))));
    expect(ds.rowCount).toBe(5000);
    expect(ds.stats[0]).toMatchObject({ min: 0, max: 4999, distinct: 5000 });
    expect(ds.stats[1]).toMatchObject({ distinct: 7 });
  });

  it('rejects bad input with the line or column', async () => {
    await expectDatasetError('', /empty/);
    await expectDatasetError('\n\n', /empty/);
    await expectDatasetError('a,b\n', /header row but no data rows/);
    const ragged = await expectDatasetError(
      'a,b\n1,2\n3,4\n5\n',
      /line 4: expected 2 fields as in the header row, got 1/,
    );
    expect(ragged.line).toBe(4);
    await expectDatasetError('a,b\n1,2,3\n', /line 2: expected 2 fields/);
    await expectDatasetError('a,,c\n1,2,3\n', /line 1: column 2 of the header has an empty name/);
    await expectDatasetError(
      'a,b,a\n1,2,3\n',
      /column name 'a' appears twice in the header \(columns 1 and 3\)/,
    );
    const empty = await expectDatasetError('a,b\n1,\n2,NA\n', /column 'b' has no usable values/);
    expect(empty.column).toBe('b');
    await expectDatasetError('a,b\n1,"2\n', /line \d+: /);
  });

  it('enforces maxBytes', async () => {
    const error = await expectDatasetError(
      Readable.from([Buffer.from('a\n1\n'), Buffer.from('2\n3\n')]),
      /larger than the limit of 5 bytes/,
      { maxBytes: 5 },
    );
    expect(error.code).toBe('TOO_LARGE');
    await expect(parseCsvDataset('a\n1\n', { maxBytes: 4 })).resolves.toMatchObject({
      rowCount: 1,
    });
  });
});

describe('encodeColumns / decodeColumns', () => {
  it('round-trips every column type, aligned or not', async () => {
    const ds = await parseCsvDataset('x,flag,color\n1.5,true,red\n,false,\n-2,,blue\n');
    const buf = encodeColumns(ds);
    const back = decodeColumns(buf);
    expect(back.rowCount).toBe(3);
    expect(back.columns).toEqual(ds.columns);
    // A copy at an odd offset still decodes (by copying).
    const shifted = Buffer.alloc(buf.length + 1);
    buf.copy(shifted, 1);
    expect(decodeColumns(shifted.subarray(1)).columns).toEqual(ds.columns);
  });

  it('rejects a foreign or truncated buffer', async () => {
    expect(() => decodeColumns(Buffer.from('hello world, not columns'))).toThrow(DatasetError);
    const buf = encodeColumns(await parseCsvDataset('a\n1\n2\n'));
    expect(() => decodeColumns(buf.subarray(0, buf.length - 8))).toThrow(/truncated/);
  });
});

describe('previewRows', () => {
  it('returns rows as objects with nulls', async () => {
    const ds = await parseCsvDataset('x,flag,color\n1.5,true,red\n,false,\n-2,,blue\n');
    expect(previewRows(ds, 2)).toEqual([
      { x: 1.5, flag: true, color: 'red' },
      { x: null, flag: false, color: null },
    ]);
    expect(previewRows(ds, 100)).toHaveLength(3);
  });
});
