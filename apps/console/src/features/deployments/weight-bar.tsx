import { cn } from '@/lib/cn';

const colors = ['bg-chart-1', 'bg-chart-2', 'bg-chart-3', 'bg-chart-4', 'bg-chart-5'];

/** A deployment's traffic split as one stacked bar with "v3 80%" labels. */
export function WeightBar({
  routes,
  className,
}: {
  routes: readonly { weight: number; version: { version: number } }[];
  className?: string;
}) {
  const shown = routes.filter((r) => r.weight > 0);
  return (
    <div className={cn('grid min-w-40 gap-1', className)}>
      <div
        className="flex h-2.5 w-full overflow-hidden rounded-full bg-muted"
        role="img"
        aria-label={`Traffic: ${shown.map((r) => `version ${r.version.version} ${r.weight}%`).join(', ')}`}
      >
        {shown.map((r, i) => (
          <div
            key={r.version.version}
            className={colors[i % colors.length]}
            style={{ width: `${r.weight}%` }}
          />
        ))}
      </div>
      <div className="flex flex-wrap gap-x-3 text-xs text-muted-foreground">
        {shown.map((r, i) => (
          <span key={r.version.version} className="flex items-center gap-1 tabular-nums">
            <span aria-hidden className={cn('size-2 rounded-full', colors[i % colors.length])} />v
            {r.version.version} {r.weight}%
          </span>
        ))}
      </div>
    </div>
  );
}

/** The colour class of the i-th route, to match charts and legends to the bar. */
export function routeColor(index: number): string {
  return colors[index % colors.length] ?? 'bg-chart-1';
}
