import { formatMetric } from '@/lib/format';
import type { Bin } from './histogram-bins';

const width = 160;
const height = 44;

/** A small bar chart of a numeric column's histogram (SVG, so it scales and prints). */
export function HistogramSparkline({ bins, column }: { bins: readonly Bin[]; column: string }) {
  const peak = Math.max(1, ...bins.map((b) => b.count));
  const barWidth = width / Math.max(1, bins.length);
  const first = bins[0];
  const last = bins[bins.length - 1];
  if (!first || !last) return <span className="text-xs text-muted-foreground">—</span>;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      className="h-11 w-40"
      role="img"
      aria-label={`Distribution of ${column} in the sample, ${formatMetric(first.from)} to ${formatMetric(last.to)}: ${bins.map((b) => b.count).join(', ')}`}
    >
      {bins.map((bin, i) => {
        const h = (bin.count / peak) * (height - 2);
        return (
          <rect
            key={i}
            x={i * barWidth + 0.5}
            y={height - h}
            width={Math.max(1, barWidth - 1.5)}
            height={h}
            rx={1}
            className="fill-chart-1"
          >
            <title>{`${formatMetric(bin.from)} – ${formatMetric(bin.to)}: ${bin.count}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

/** Horizontal bars of the most frequent categories. */
export function CategoryBars({ counts }: { counts: readonly { label: string; count: number }[] }) {
  const total = counts.reduce((sum, c) => sum + c.count, 0) || 1;
  return (
    <ul className="grid w-40 gap-0.5">
      {counts.slice(0, 4).map((c) => (
        <li key={c.label} className="flex items-center gap-1.5 text-[11px]">
          <span className="w-14 truncate font-mono" title={c.label}>
            {c.label}
          </span>
          <span
            className="h-2 rounded-sm bg-chart-3"
            style={{ width: `${(c.count / total) * 100}%` }}
          />
        </li>
      ))}
    </ul>
  );
}
