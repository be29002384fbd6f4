import { DatasetError } from '../errors';
import type { Column, ColumnStats } from './dataset.types';
import { BOOLEAN_NULL } from './dataset.types';

// Tokens read as a missing value (compared lower-case, after trimming), as pandas does by default.
const NULL_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a', '-nan']);
const MAX_NULL_TOKEN_LENGTH = Math.max(...[...NULL_TOKENS].map((token) => token.length));
const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// While a column looks numeric we remember the first spelling of each number, so that if it
// turns out categorical ("1", "2", "other") its categories read as written. Capped: a column of
// a million distinct numbers with one stray word falls back to the shortest spelling.
const MAX_REMEMBERED_SPELLINGS = 65_536;

type State = 'empty' | 'numeric' | 'boolean' | 'categorical';

/**
 * Grows one column row by row while inferring its type: numeric until a non-number appears,
 * boolean while every value is true/false, else categorical. Only one typed array is kept.
 */
export class ColumnBuilder {
  private state: State = 'empty';
  private length = 0;
  private numbers = new Float64Array(0);
  private booleans = new Uint8Array(0);
  private codes = new Int32Array(0);
  private categories: string[] = [];
  private categoryIndex = new Map<string, number>();
  private spellings: Map<number, string> | null = new Map();
  private booleanSpellings: [string | null, string | null] = [null, null];

  constructor(readonly name: string) {}

  push(raw: string): void {
    const text = raw.trim();
    const row = this.length++;
    if (
      text.length === 0 ||
      (text.length <= MAX_NULL_TOKEN_LENGTH && NULL_TOKENS.has(text.toLowerCase()))
    ) {
      if (this.state !== 'empty') {
        if (row === this.capacity()) this.grow();
        this.setNull(row);
      }
      return;
    }
    if (this.state === 'empty') this.start(this.typeOf(text), row);
    else if (row === this.capacity()) this.grow();
    switch (this.state) {
      case 'numeric':
        if (NUMBER_PATTERN.test(text)) {
          const value = Number(text);
          if (Number.isFinite(value)) {
            this.numbers[row] = value;
            if (this.spellings && !this.spellings.has(value)) {
              if (this.spellings.size < MAX_REMEMBERED_SPELLINGS) this.spellings.set(value, text);
              else this.spellings = null;
            }
            return;
          }
        }
        this.toCategorical(row);
        break;
      case 'boolean': {
        const lower = text.toLowerCase();
        if (lower === 'true' || lower === 'false') {
          const bit = lower === 'true' ? 1 : 0;
          this.booleans[row] = bit;
          this.booleanSpellings[bit] ??= text;
          return;
        }
        this.toCategorical(row);
        break;
      }
      default:
        break;
    }
    this.codes[row] = this.code(text);
  }

  /** The finished column and its statistics; throws when the column has no usable value. */
  finish(): { column: Column; stats: ColumnStats } {
    const n = this.length;
    if (this.state === 'empty') {
      throw new DatasetError(
        `column '${this.name}' has no usable values: every value is empty or missing`,
        'INVALID',
        undefined,
        this.name,
      );
    }
    if (this.state === 'categorical') {
      const { codes, categories } = sortCategories(this.codes.slice(0, n), this.categories);
      return {
        column: { name: this.name, type: 'categorical', codes, categories },
        stats: categoricalStats(this.name, codes, categories.length),
      };
    }
    if (this.state === 'boolean') {
      const values = this.booleans.slice(0, n);
      return {
        column: { name: this.name, type: 'boolean', values },
        stats: booleanStats(this.name, values),
      };
    }
    const values = this.numbers.slice(0, n);
    return {
      column: { name: this.name, type: 'numeric', values },
      stats: numericStats(this.name, values),
    };
  }

  private typeOf(text: string): Exclude<State, 'empty'> {
    if (NUMBER_PATTERN.test(text) && Number.isFinite(Number(text))) return 'numeric';
    const lower = text.toLowerCase();
    return lower === 'true' || lower === 'false' ? 'boolean' : 'categorical';
  }

  private capacity(): number {
    switch (this.state) {
      case 'numeric':
        return this.numbers.length;
      case 'boolean':
        return this.booleans.length;
      case 'categorical':
        return this.codes.length;
      default:
        return 0;
    }
  }

  private grow(): void {
    const size = Math.max(1024, this.capacity() * 2);
    if (this.state === 'numeric') this.numbers = resized(this.numbers, size, Float64Array);
    else if (this.state === 'boolean') this.booleans = resized(this.booleans, size, Uint8Array);
    else this.codes = resized(this.codes, size, Int32Array);
  }

  /** The first value arrived at `row`: allocate the column and mark the leading rows missing. */
  private start(state: Exclude<State, 'empty'>, row: number): void {
    this.state = state;
    const size = Math.max(1024, (row + 1) * 2);
    if (state === 'numeric') this.numbers = new Float64Array(size).fill(Number.NaN, 0, row);
    else if (state === 'boolean') this.booleans = new Uint8Array(size).fill(BOOLEAN_NULL, 0, row);
    else this.codes = new Int32Array(size).fill(-1, 0, row);
  }

  private setNull(row: number): void {
    if (this.state === 'numeric') this.numbers[row] = Number.NaN;
    else if (this.state === 'boolean') this.booleans[row] = BOOLEAN_NULL;
    else if (this.state === 'categorical') this.codes[row] = -1;
  }

  /** Rows before `row` were of the first type seen; turn them into category codes. */
  private toCategorical(row: number): void {
    const codes = new Int32Array(Math.max(1024, (row + 1) * 2));
    if (this.state === 'numeric') {
      for (let i = 0; i < row; i++) {
        const value = this.numbers[i] ?? Number.NaN;
        codes[i] = Number.isNaN(value)
          ? -1
          : this.code(this.spellings?.get(value) ?? String(value));
      }
    } else if (this.state === 'boolean') {
      for (let i = 0; i < row; i++) {
        const bit = this.booleans[i] ?? BOOLEAN_NULL;
        codes[i] =
          bit === BOOLEAN_NULL
            ? -1
            : this.code(this.booleanSpellings[bit === 1 ? 1 : 0] ?? String(bit === 1));
      }
    } else {
      codes.fill(-1, 0, row);
    }
    this.codes = codes;
    this.numbers = new Float64Array(0);
    this.booleans = new Uint8Array(0);
    this.spellings = null;
    this.state = 'categorical';
  }

  private code(text: string): number {
    let code = this.categoryIndex.get(text);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(text);
      this.categoryIndex.set(text, code);
    }
    return code;
  }
}

type TypedArrayOf<T> = { new (length: number): T };
function resized<T extends Float64Array | Uint8Array | Int32Array>(
  array: T,
  size: number,
  ctor: TypedArrayOf<T>,
): T {
  const next = new ctor(size);
  next.set(array);
  return next;
}

// Categories sorted by code point, so that codes do not depend on row order.
function sortCategories(
  codes: Int32Array,
  categories: string[],
): { codes: Int32Array; categories: string[] } {
  const order = categories
    .map((_, i) => i)
    .sort((a, b) => compareStrings(categories[a] ?? '', categories[b] ?? ''));
  const remap = new Int32Array(categories.length);
  order.forEach((old, position) => (remap[old] = position));
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? -1;
    if (code >= 0) codes[i] = remap[code] ?? -1;
  }
  return { codes, categories: order.map((i) => categories[i] ?? '') };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function numericStats(name: string, values: Float64Array): ColumnStats {
  let nullCount = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  const present = new Float64Array(values.length);
  let count = 0;
  for (const value of values) {
    if (Number.isNaN(value)) {
      nullCount++;
      continue;
    }
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    present[count++] = value;
  }
  // Distinct values by sorting a copy: no per-value allocation, unlike a Set.
  const sorted = present.subarray(0, count).sort();
  let distinct = 0;
  for (let i = 0; i < count; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  return { name, type: 'numeric', nullCount, min, max, mean: sum / count, distinct };
}

function booleanStats(name: string, values: Uint8Array): ColumnStats {
  let nullCount = 0;
  let trues = 0;
  for (const value of values) {
    if (value === BOOLEAN_NULL) nullCount++;
    else trues += value;
  }
  const count = values.length - nullCount;
  const falses = count - trues;
  return {
    name,
    type: 'boolean',
    nullCount,
    min: falses > 0 ? 0 : 1,
    max: trues > 0 ? 1 : 0,
    mean: trues / count,
    distinct: (trues > 0 ? 1 : 0) + (falses > 0 ? 1 : 0),
  };
}

function categoricalStats(name: string, codes: Int32Array, distinct: number): ColumnStats {
  let nullCount = 0;
  for (const code of codes) if (code < 0) nullCount++;
  return { name, type: 'categorical', nullCount, min: null, max: null, mean: null, distinct };
}
