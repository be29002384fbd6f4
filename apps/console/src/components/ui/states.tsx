import type { ReactNode } from 'react';
import { AlertTriangle, Inbox } from 'lucide-react';
import type { ApiErrorInfo } from '@/lib/api-error';
import { cn } from '@/lib/cn';

/** A grey placeholder block while data loads. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cn('animate-pulse rounded-md bg-muted', className)} />;
}

/** Rows of skeletons with a screen-reader message. */
export function LoadingRows({ rows = 4, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-live="polite" className="grid gap-2 py-2">
      <span className="sr-only">{label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-9 w-full" />
      ))}
    </div>
  );
}

/** What an empty list says, with the next step to take. */
export function EmptyState({
  title,
  description,
  action,
  icon,
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 px-4 py-10 text-center">
      <div className="rounded-full bg-muted p-3 text-muted-foreground [&_svg]:size-5">
        {icon ?? <Inbox />}
      </div>
      <p className="text-sm font-medium">{title}</p>
      {description ? <p className="max-w-sm text-sm text-muted-foreground">{description}</p> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

/** The API's error message, with its code. */
export function ErrorMessage({
  error,
  title = 'Something went wrong',
  className,
}: {
  error: ApiErrorInfo | null | undefined;
  title?: string;
  className?: string;
}) {
  if (!error) return null;
  return (
    <div
      role="alert"
      className={cn(
        'flex gap-3 rounded-lg border border-destructive/40 bg-destructive/10 px-4 py-3 text-sm',
        className,
      )}
    >
      <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
      <div className="min-w-0">
        <p className="font-medium text-destructive">{title}</p>
        <p className="break-words text-foreground">{error.message}</p>
        {error.code ? (
          <p className="mt-1 font-mono text-xs text-muted-foreground">{error.code}</p>
        ) : null}
      </div>
    </div>
  );
}
