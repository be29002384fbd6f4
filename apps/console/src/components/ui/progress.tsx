import { cn } from '@/lib/cn';

/** A determinate progress bar (0..1), announced as a percentage. */
export function ProgressBar({
  value,
  label,
  className,
  tone = 'primary',
}: {
  value: number;
  label: string;
  className?: string;
  tone?: 'primary' | 'success' | 'warning' | 'danger' | 'muted';
}) {
  const percent = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      className={cn('h-2 w-full overflow-hidden rounded-full bg-muted', className)}
    >
      <div
        className={cn(
          'h-full rounded-full transition-[width] duration-300',
          tone === 'primary' && 'bg-primary',
          tone === 'success' && 'bg-success',
          tone === 'warning' && 'bg-warning',
          tone === 'danger' && 'bg-destructive',
          tone === 'muted' && 'bg-muted-foreground/50',
        )}
        style={{ width: `${percent}%` }}
      />
    </div>
  );
}
