import type { HTMLAttributes } from 'react';
import { cn } from '@/lib/cn';

const tones = {
  neutral: 'bg-muted text-muted-foreground border-border',
  primary: 'bg-accent text-accent-foreground border-transparent',
  success: 'bg-success/15 text-success border-transparent',
  warning: 'bg-warning/20 text-foreground border-transparent',
  danger: 'bg-destructive/15 text-destructive border-transparent',
  outline: 'bg-transparent text-foreground border-border',
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({
  tone = 'neutral',
  className,
  ...props
}: HTMLAttributes<HTMLSpanElement> & { tone?: BadgeTone }) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap',
        tones[tone],
        className,
      )}
      {...props}
    />
  );
}
