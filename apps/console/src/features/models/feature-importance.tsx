import { formatMetric } from '@/lib/format';

/** One feature's permutation importance (the loss's increase when its column is shuffled). */
export interface FeatureImportanceEntry {
  feature: string;
  importance: number;
}

/** Horizontal bars, most important first, scaled to the largest importance. */
export function FeatureImportanceBars({
  importance,
  label = 'Feature importance',
}: {
  importance: readonly FeatureImportanceEntry[];
  label?: string;
}) {
  const largest = Math.max(0, ...importance.map((f) => f.importance));
  return (
    <ul aria-label={label} className="grid gap-1.5">
      {importance.map((f) => {
        const share = largest > 0 ? Math.max(0, f.importance) / largest : 0;
        return (
          <li
            key={f.feature}
            className="grid grid-cols-[minmax(5rem,10rem)_1fr_5rem] items-center gap-2 text-sm"
          >
            <span className="truncate font-mono text-xs" title={f.feature}>
              {f.feature}
            </span>
            <span className="h-2.5 rounded-full bg-muted" aria-hidden>
              <span
                data-testid={`importance-bar-${f.feature}`}
                className="block h-full rounded-full bg-primary"
                style={{ width: `${(share * 100).toFixed(1)}%` }}
              />
            </span>
            <span className="text-right font-mono text-xs tabular-nums">
              {formatMetric(f.importance)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
