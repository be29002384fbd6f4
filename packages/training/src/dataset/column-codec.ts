import { endianness } from 'node:os';
import { DatasetError } from '../errors';
import type { Column, ColumnarDataset, ColumnType, PreviewRow } from './dataset.types';
import { BOOLEAN_NULL } from './dataset.types';

// Layout: "MAASCOL1" | u32 LE header length | header JSON (UTF-8) | padding to 8 | column blocks,
// each 8-byte aligned, little-endian, so decoding can view the bytes without copying them.
const MAGIC = Buffer.from('MAASCOL1', 'ascii');

interface ColumnHeader {
  name: string;
  type: ColumnType;
  categories?: string[];
  offset: number;
  byteLength: number;
}
interface CodecHeader {
  version: 1;
  rowCount: number;
  columns: ColumnHeader[];
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE')
    throw new DatasetError(
      'columnar datasets are stored little-endian; this machine is big-endian',
    );
}

function columnBytes(column: Column): Uint8Array {
  const array = column.type === 'categorical' ? column.codes : column.values;
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Encodes a dataset's columns into one compact buffer (typed arrays, no text) that {@link decodeColumns} reads back without parsing. */
export function encodeColumns(dataset: ColumnarDataset): Buffer {
  assertLittleEndian();
  const headers: ColumnHeader[] = [];
  let offset = 0;
  for (const column of dataset.columns) {
    const byteLength = columnBytes(column).byteLength;
    headers.push({
      name: column.name,
      type: column.type,
      ...(column.type === 'categorical' ? { categories: column.categories } : {}),
      offset,
      byteLength,
    });
    offset = align8(offset + byteLength);
  }
  const header: CodecHeader = { version: 1, rowCount: dataset.rowCount, columns: headers };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(MAGIC.length + 4 + json.length);
  const out = Buffer.alloc(dataStart + offset);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  dataset.columns.forEach((column, i) =>
    out.set(columnBytes(column), dataStart + (headers[i]?.offset ?? 0)),
  );
  return out;
}

/**
 * Reads a buffer written by {@link encodeColumns}. Columns are views on `buf` when it is 8-byte
 * aligned (copies otherwise), so keep `buf` alive and unmodified while the dataset is used.
 */
export function decodeColumns(buf: Uint8Array): ColumnarDataset {
  assertLittleEndian();
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DatasetError('not a columnar dataset buffer (bad magic bytes)');
  }
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  let header: CodecHeader;
  try {
    header = JSON.parse(
      bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + jsonLength),
    ) as CodecHeader;
  } catch {
    throw new DatasetError('columnar dataset buffer has a corrupt header');
  }
  if (header.version !== 1)
    throw new DatasetError(
      `columnar dataset format version ${String(header.version)} is not supported`,
    );
  const dataStart = align8(MAGIC.length + 4 + jsonLength);
  const n = header.rowCount;
  const columns = header.columns.map((h): Column => {
    const start = dataStart + h.offset;
    if (start + h.byteLength > bytes.length)
      throw new DatasetError(`columnar dataset buffer is truncated in column '${h.name}'`);
    const view = <T>(ctor: {
      new (b: ArrayBufferLike, o: number, l: number): T;
      BYTES_PER_ELEMENT: number;
    }): T => {
      const absolute = bytes.byteOffset + start;
      if (h.byteLength !== n * ctor.BYTES_PER_ELEMENT)
        throw new DatasetError(
          `column '${h.name}' has ${h.byteLength} bytes, expected ${n * ctor.BYTES_PER_ELEMENT}`,
        );
      if (absolute % ctor.BYTES_PER_ELEMENT === 0) return new ctor(bytes.buffer, absolute, n);
      const copy = new Uint8Array(h.byteLength);
      copy.set(bytes.subarray(start, start + h.byteLength));
      return new ctor(copy.buffer, 0, n);
    };
    if (h.type === 'numeric') return { name: h.name, type: 'numeric', values: view(Float64Array) };
    if (h.type === 'boolean') return { name: h.name, type: 'boolean', values: view(Uint8Array) };
    return {
      name: h.name,
      type: 'categorical',
      codes: view(Int32Array),
      categories: h.categories ?? [],
    };
  });
  return { rowCount: n, columns };
}

/** The first `limit` rows as `{column: value}` objects, missing values as null. */
export function previewRows(dataset: ColumnarDataset, limit: number): PreviewRow[] {
  const count = Math.max(0, Math.min(Math.floor(limit), dataset.rowCount));
  const rows: PreviewRow[] = [];
  for (let r = 0; r < count; r++) {
    const row: PreviewRow = {};
    for (const column of dataset.columns) row[column.name] = cellValue(column, r);
    rows.push(row);
  }
  return rows;
}

function cellValue(column: Column, row: number): number | string | boolean | null {
  if (column.type === 'numeric') {
    const value = column.values[row] ?? Number.NaN;
    return Number.isNaN(value) ? null : value;
  }
  if (column.type === 'boolean') {
    const value = column.values[row] ?? BOOLEAN_NULL;
    return value === BOOLEAN_NULL ? null : value === 1;
  }
  const code = column.codes[row] ?? -1;
  return code < 0 ? null : (column.categories[code] ?? null);
}
