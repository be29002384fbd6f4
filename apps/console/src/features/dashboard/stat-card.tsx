import Link from 'next/link';
import type { ReactNode } from 'react';
import type { LucideIcon } from 'lucide-react';
import { Skeleton } from '@/components/ui/states';

/** A count on the dashboard, linking to its list. */
export function StatCard({
  label,
  value,
  hint,
  href,
  icon: Icon,
}: {
  label: string;
  value: ReactNode | undefined;
  hint?: ReactNode;
  href: string;
  icon: LucideIcon;
}) {
  return (
    <Link
      href={href}
      className="group rounded-xl border border-border bg-card p-4 shadow-xs transition-colors hover:border-primary/40"
    >
      <div className="flex items-center justify-between text-sm text-muted-foreground">
        {label}
        <Icon aria-hidden className="size-4 group-hover:text-primary" />
      </div>
      <div className="mt-2 text-2xl font-semibold tabular-nums">
        {value === undefined ? <Skeleton className="h-8 w-16" /> : value}
      </div>
      {hint ? <div className="mt-1 text-xs text-muted-foreground">{hint}</div> : null}
    </Link>
  );
}
