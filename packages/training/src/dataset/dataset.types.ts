/** How a column's values are understood. Booleans are `true`/`false` (any case). */
export type ColumnType = 'numeric' | 'categorical' | 'boolean';

/** Marker for a missing boolean in {@link BooleanColumn.values}. */
export const BOOLEAN_NULL = 255;

/** Numbers; a missing value is NaN. */
export interface NumericColumn {
  name: string;
  type: 'numeric';
  values: Float64Array;
}

/** Strings stored as codes into `categories` (sorted); a missing value is -1. */
export interface CategoricalColumn {
  name: string;
  type: 'categorical';
  codes: Int32Array;
  categories: string[];
}

/** 0 = false, 1 = true, {@link BOOLEAN_NULL} = missing. */
export interface BooleanColumn {
  name: string;
  type: 'boolean';
  values: Uint8Array;
}

export type Column = NumericColumn | CategoricalColumn | BooleanColumn;

/** A table as typed arrays, one per column, all `rowCount` long. */
export interface ColumnarDataset {
  rowCount: number;
  columns: Column[];
}

/** Per-column statistics; min/max/mean are null for categorical columns (booleans count as 0/1). */
export interface ColumnStats {
  name: string;
  type: ColumnType;
  nullCount: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Distinct non-null values. */
  distinct: number;
}

/** What {@link parseCsvDataset} returns: the columns, their stats and the input's size. */
export interface ParsedDataset extends ColumnarDataset {
  stats: ColumnStats[];
  sizeBytes: number;
}

/** One row of {@link previewRows}: column name to value (null when missing). */
export type PreviewRow = Record<string, number | string | boolean | null>;
