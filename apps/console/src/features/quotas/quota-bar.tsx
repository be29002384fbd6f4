import { ProgressBar } from '@/components/ui/progress';
import { cn } from '@/lib/cn';
import { formatLimit, formatQuotaValue, type QuotaLevel, type QuotaLine } from './quota';

const tone: Record<QuotaLevel, 'primary' | 'warning' | 'danger' | 'muted'> = {
  unlimited: 'muted',
  ok: 'primary',
  near: 'warning',
  full: 'danger',
};

/** One quota: its usage against the limit, amber near it and red at it; "unlimited" without a bar. */
export function QuotaBar({ line, className }: { line: QuotaLine; className?: string }) {
  const { definition, used, limit, level } = line;
  const fraction = limit === null ? 0 : limit === 0 ? 1 : used / limit;
  const usedText = formatQuotaValue(used, definition.kind);
  const limitText = formatLimit(limit, definition.kind);
  return (
    <div
      className={cn('grid gap-1.5', className)}
      data-quota={definition.quota}
      data-level={level}
      data-used={used}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="font-medium whitespace-nowrap" title={definition.hint}>
          {definition.label}
        </span>
        <span
          className={cn(
            'text-xs whitespace-nowrap tabular-nums',
            level === 'full' ? 'font-medium text-destructive' : 'text-muted-foreground',
          )}
        >
          <span className={level === 'full' ? undefined : 'text-foreground'}>{usedText}</span>
          {` of ${limitText}`}
          {limit !== null ? ` · ${Math.round(Math.min(1, fraction) * 100)}%` : ''}
        </span>
      </div>
      {limit === null ? (
        <div aria-hidden className="h-2 w-full rounded-full border border-dashed border-border" />
      ) : (
        <ProgressBar
          value={fraction}
          tone={tone[level]}
          label={`${definition.label}: ${usedText} of ${limitText}`}
        />
      )}
    </div>
  );
}
