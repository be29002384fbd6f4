import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { DatasetError } from '../errors';
import { ColumnBuilder } from './column-builder';
import { csvLimitError, CsvLimitGuard, csvLimits, type CsvLimits } from './csv-limits';
import type { Column, ColumnStats, ParsedDataset } from './dataset.types';

/** Options of {@link parseCsvDataset}: the {@link CsvLimits} (defaults for those left out). */
export interface ParseCsvOptions extends Partial<CsvLimits> {
  /** Field delimiter, one byte (default ','). */
  delimiter?: string;
}

/**
 * Parses a CSV file with a header row into typed columns, streaming: memory grows with the
 * typed columns, not with the text. Infers each column's type (numeric, boolean, categorical)
 * and computes its statistics. Throws {@link DatasetError} naming the line or column for an
 * empty file, a header without rows, a ragged row, an empty or duplicate column name, or a
 * column with no usable value; code 'LIMIT' (naming the limit) or 'TOO_LARGE' as soon as the
 * input goes over one of the {@link CsvLimits}, before the rest is read.
 */
export async function parseCsvDataset(
  input: Readable | string | Buffer,
  opts: ParseCsvOptions = {},
): Promise<ParsedDataset> {
  const limits = csvLimits(opts);
  const delimiter = opts.delimiter ?? ',';
  let builders: ColumnBuilder[] | null = null;
  let rowCount = 0;
  let maxRows = limits.maxRows;

  const guard = new CsvLimitGuard(limits, delimiter);
  // Records are consumed synchronously as they are parsed: no per-row objects are kept. Line
  // numbers are only needed for the parser's own errors (ragged rows, quotes), which carry them.
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, delimiter });
  parser.on('data', (record: string[]) => {
    try {
      if (builders === null) {
        builders = headerColumns(record, parser.info.lines);
        // Rows times columns bounds the columns' memory.
        maxRows = Math.min(limits.maxRows, Math.floor(limits.maxCells / builders.length));
      } else {
        if (rowCount >= maxRows) throw rowLimitError(limits, maxRows, parser.info.lines);
        for (let i = 0; i < builders.length; i++)
          (builders[i] as ColumnBuilder).push(record[i] ?? '');
        rowCount++;
      }
    } catch (error) {
      parser.destroy(error as Error);
    }
  });
  const source =
    typeof input === 'string' || Buffer.isBuffer(input)
      ? Readable.from([Buffer.from(input)])
      : input;
  try {
    await pipeline(source, guard, parser);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw csvFailure(
      error as Error,
      builders === null ? undefined : (builders as ColumnBuilder[]).length,
    );
  }
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
  return { rowCount, columns, stats, sizeBytes: guard.sizeBytes };
}

function rowLimitError(limits: CsvLimits, maxRows: number, line: number): DatasetError {
  return maxRows < limits.maxRows
    ? csvLimitError(
        'maxCells',
        `more than ${limits.maxCells} cells (rows times columns): at most ${maxRows} rows of this width`,
        line,
      )
    : csvLimitError('maxRows', `more than ${limits.maxRows} data rows`, line);
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
