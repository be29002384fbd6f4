import { Transform } from 'node:stream';
import { DatasetError } from '../errors';

/**
 * How large a CSV may be, in every dimension that costs memory or time while it is parsed. The
 * rule lives here, once: the API passes its configured values (docs/configuration.md), and both
 * the streaming upload and the parser enforce them with {@link CsvLimitGuard} and
 * {@link parseCsvDataset}.
 */
export interface CsvLimits {
  /** Largest input, in bytes (code `TOO_LARGE`). */
  maxBytes: number;
  /** Most fields in any line, the header included. */
  maxColumns: number;
  /** Most data rows (the header not counted). */
  maxRows: number;
  /** Most cells, data rows times columns: bounds the typed columns' memory (8 bytes a cell). */
  maxCells: number;
  /** Largest field, in bytes. */
  maxCellBytes: number;
  /** Largest line (a record, with any quoted line breaks it holds), in bytes. */
  maxLineBytes: number;
}

/** Which of {@link CsvLimits} a {@link DatasetError} with code `LIMIT` was over. */
export type CsvLimitName = Exclude<keyof CsvLimits, 'maxBytes'>;

export const DEFAULT_CSV_LIMITS: Readonly<CsvLimits> = {
  maxBytes: 512 * 1024 * 1024,
  maxColumns: 1000,
  maxRows: 5_000_000,
  maxCells: 50_000_000,
  maxCellBytes: 64 * 1024,
  maxLineBytes: 1024 * 1024,
};

/** The limits in `partial`, the defaults for the rest. */
export function csvLimits(partial: Partial<CsvLimits> = {}): CsvLimits {
  const limits = { ...DEFAULT_CSV_LIMITS };
  for (const [key, value] of Object.entries(partial) as [keyof CsvLimits, number | undefined][])
    if (value !== undefined) limits[key] = value;
  return limits;
}

/** The error for input over `limit`: code `LIMIT`, naming the limit and, when known, the line. */
export function csvLimitError(limit: CsvLimitName, message: string, line?: number): DatasetError {
  const where = line === undefined ? '' : `line ${line}: `;
  return new DatasetError(`${where}${message}`, 'LIMIT', line, undefined, limit);
}

/** The error for input over `maxBytes` (code `TOO_LARGE`). */
export function csvTooLargeError(maxBytes: number): DatasetError {
  return new DatasetError(`the dataset is larger than the limit of ${maxBytes} bytes`, 'TOO_LARGE');
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * A pass-through stream that fails as soon as the bytes go over a limit in `limits`: total bytes,
 * fields in a line, bytes in a field or in a line. It follows the CSV quoting (`"`; a doubled `""`
 * inside quotes toggles twice), so a quoted delimiter or line break does not count, and it keeps
 * only counters: its cost is one pass over each chunk, whatever the line lengths. Rows and cells
 * are counted by the parser, which knows which lines are empty.
 */
export class CsvLimitGuard extends Transform {
  private bytes = 0;
  private line = 1;
  private lineBytes = 0;
  private cellBytes = 0;
  private fields = 1;
  private quoted = false;
  private readonly delimiter: number;

  constructor(
    private readonly limits: CsvLimits,
    delimiter = ',',
  ) {
    super();
    if (Buffer.byteLength(delimiter) !== 1)
      throw new DatasetError(`the delimiter must be one byte, got '${delimiter}'`);
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Bytes seen so far. */
  get sizeBytes(): number {
    return this.bytes;
  }

  override _transform(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const failure = this.scan(bytes);
    if (failure) callback(failure);
    else callback(null, bytes);
  }

  private scan(bytes: Buffer): DatasetError | undefined {
    const { maxBytes, maxColumns, maxCellBytes, maxLineBytes } = this.limits;
    this.bytes += bytes.length;
    if (this.bytes > maxBytes) return csvTooLargeError(maxBytes);
    const delimiter = this.delimiter;
    let { lineBytes, cellBytes, fields, quoted, line } = this;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === NEWLINE) {
        line++;
        if (!quoted) {
          lineBytes = 0;
          cellBytes = 0;
          fields = 1;
          continue;
        }
      } else if (byte === delimiter && !quoted) {
        cellBytes = -1; // the delimiter itself belongs to no field
        if (++fields > maxColumns)
          return csvLimitError('maxColumns', `more than ${maxColumns} columns in one line`, line);
      }
      if (++cellBytes > maxCellBytes)
        return csvLimitError('maxCellBytes', `a field is longer than ${maxCellBytes} bytes`, line);
      if (++lineBytes > maxLineBytes)
        return csvLimitError('maxLineBytes', `a line is longer than ${maxLineBytes} bytes`, line);
    }
    this.lineBytes = lineBytes;
    this.cellBytes = cellBytes;
    this.fields = fields;
    this.quoted = quoted;
    this.line = line;
    return undefined;
  }
}
