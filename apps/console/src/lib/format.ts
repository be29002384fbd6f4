// Formatting of sizes, dates and numbers as the console shows them.

const units = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "3 minutes ago", relative to `now`. */
export function formatRelativeTime(iso: string, now: number = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '—';
  let delta = (time - now) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(delta) < size) return relative.format(Math.round(delta), unit);
    delta /= size;
  }
  return relative.format(Math.round(delta), 'year');
}

/** A full, unambiguous date for tooltips: "2025-11-29 10:14:03 UTC". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Metric values: 4 significant digits, integers as they are, non-numbers as JSON. */
export function formatMetric(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value.toLocaleString('en');
    if (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3) return value.toExponential(3);
    return value.toPrecision(4).replace(/\.?0+$/, '');
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Latencies: "0.92 ms", "24.7 ms", "1,250 ms"; "—" when unknown. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value < 10) return `${Number(value.toFixed(2))} ms`;
  if (value < 1000) return `${Number(value.toFixed(1))} ms`;
  return `${Math.round(value).toLocaleString('en')} ms`;
}

/** A tensor shape as ONNX tools print it: [-1, 3] -> "[?, 3]". */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
}

/** The JSON object's entries, or none when it is not an object (metrics and tags are JSON). */
export function jsonEntries(value: unknown): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>);
}

// Enum values that are acronyms, kept in capitals.
const acronyms = new Set(['MLP', 'CPU', 'GPU', 'CUDA']);

/** "BINARY_CLASSIFICATION" -> "Binary classification"; "MLP" stays "MLP". */
export function humanizeEnum(value: string): string {
  if (acronyms.has(value)) return value;
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Counts with thousands separators: 12345 -> "12,345". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en');
}

/** Compute time: 42 -> "42 s", 754 -> "12.6 min", 7200 -> "2 h". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  if (seconds < 3600) return `${Number((seconds / 60).toFixed(1))} min`;
  return `${Number((seconds / 3600).toFixed(1))} h`;
}

const byteUnits: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/**
 * A size as a person types it, in the units formatBytes prints (powers of 1024): "512", "1.5 GB",
 * "20mb" -> bytes (whole). Null when it is not a size.
 */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)?\s*$/i.exec(text);
  if (!match?.[1]) return null;
  let unit = (match[2] ?? '').toUpperCase();
  if (unit === '') unit = 'B';
  else if (!unit.endsWith('B')) unit = `${unit}B`;
  const factor = byteUnits[unit];
  if (factor === undefined) return null;
  const bytes = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Bytes as parseByteSize reads them back exactly: 1073741824 -> "1 GB", 1500 -> "1500". */
export function formatByteSizeInput(bytes: number): string {
  for (const unit of ['TB', 'GB', 'MB', 'KB'] as const) {
    const factor = byteUnits[unit] ?? 1;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return String(bytes);
}
