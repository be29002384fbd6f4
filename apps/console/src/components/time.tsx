import { formatDateTime, formatRelativeTime } from '@/lib/format';

/** "3 minutes ago", with the exact time on hover and for machines. */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="text-muted-foreground">—</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="whitespace-nowrap">
      {formatRelativeTime(iso)}
    </time>
  );
}
