import { once } from 'node:events';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { DatasetError } from '../errors';
import { ColumnBuilder } from './column-builder';
import type { Column, ColumnStats, ParsedDataset } from './dataset.types';

/** Options of {@link parseCsvDataset}. */
export interface ParseCsvOptions {
  /** Largest input accepted, in bytes; more fails with a DatasetError whose code is 'TOO_LARGE'. */
  maxBytes?: number;
  /** Field delimiter (default ','). */
  delimiter?: string;
}

/**
 * Parses a CSV file with a header row into typed columns, streaming: memory grows with the
 * typed columns, not with the text. Infers each column's type (numeric, boolean, categorical)
 * and computes its statistics. Throws {@link DatasetError} naming the line or column for an
 * empty file, a header without rows, a ragged row, an empty or duplicate column name, or a
 * column with no usable value.
 */
export async function parseCsvDataset(
  input: Readable | string | Buffer,
  opts: ParseCsvOptions = {},
): Promise<ParsedDataset> {
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  let builders: ColumnBuilder[] | null = null;
  let rowCount = 0;
  let failure: Error | null = null;

  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    delimiter: opts.delimiter ?? ',',
    // Rows are consumed here, synchronously, and never pushed downstream: no per-row objects kept.
    on_record: (record: string[], context) => {
      if (failure) return undefined;
      try {
        if (builders === null) builders = headerColumns(record, context.lines);
        else {
          for (let i = 0; i < builders.length; i++) builders[i]?.push(record[i] ?? '');
          rowCount++;
        }
      } catch (error) {
        failure = error as Error;
      }
      return undefined;
    },
  });
  parser.resume();
  const ended = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (error) => {
      failure ??= csvFailure(error, builders?.length);
      resolve();
    });
  });

  const source =
    typeof input === 'string' || Buffer.isBuffer(input)
      ? Readable.from([Buffer.from(input)])
      : input;
  let sizeBytes = 0;
  try {
    for await (const chunk of source) {
      const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      sizeBytes += bytes.length;
      if (sizeBytes > maxBytes) {
        failure = new DatasetError(
          `the dataset is larger than the limit of ${maxBytes} bytes`,
          'TOO_LARGE',
        );
        break;
      }
      if (failure) break;
      if (!parser.write(bytes)) await Promise.race([once(parser, 'drain'), ended]);
    }
  } finally {
    if (failure || parser.destroyed) parser.destroy();
    else parser.end();
  }
  if (!failure) await ended;
  if (failure) throw failure;
  if (builders === null)
    throw new DatasetError(
      'the file is empty: a header row with column names is required',
      'INVALID',
      1,
    );
  if (rowCount === 0)
    throw new DatasetError('the file has a header row but no data rows', 'INVALID', 2);

  const columns: Column[] = [];
  const stats: ColumnStats[] = [];
  for (const builder of builders as ColumnBuilder[]) {
    const finished = builder.finish();
    columns.push(finished.column);
    stats.push(finished.stats);
  }
  return { rowCount, columns, stats, sizeBytes };
}

function headerColumns(names: string[], line: number): ColumnBuilder[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    const name = raw.trim();
    if (name === '')
      throw new DatasetError(
        `line ${line}: column ${i + 1} of the header has an empty name`,
        'INVALID',
        line,
      );
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DatasetError(
        `line ${line}: column name '${name}' appears twice in the header (columns ${first + 1} and ${i + 1})`,
        'INVALID',
        line,
        name,
      );
    }
    seen.set(name, i);
    return new ColumnBuilder(name);
  });
}

function csvFailure(error: Error, headerFields: number | undefined): DatasetError {
  if (!(error instanceof CsvError))
    return new DatasetError(`the CSV could not be read: ${error.message}`);
  const line = typeof error.lines === 'number' ? error.lines : undefined;
  const where = line === undefined ? '' : `line ${line}: `;
  if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(error.record)) {
    const count = headerFields === undefined ? '' : `${headerFields} `;
    return new DatasetError(
      `${where}expected ${count}fields as in the header row, got ${error.record.length}`,
      'INVALID',
      line,
    );
  }
  return new DatasetError(`${where}${error.message}`, 'INVALID', line);
}
