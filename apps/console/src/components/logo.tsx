import { cn } from '@/lib/cn';

/** The maas mark: three stacked layers (register, train, deploy). */
export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden className={cn('size-7', className)}>
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <path
        d="M8 20.5 16 24l8-3.5"
        className="stroke-primary-foreground"
        strokeWidth="2"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
        opacity="0.55"
      />
      <path
        d="M8 16 16 19.5 24 16"
        className="stroke-primary-foreground"
        strokeWidth="2"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
        opacity="0.8"
      />
      <path d="M16 8 24 11.5 16 15 8 11.5Z" className="fill-primary-foreground" />
    </svg>
  );
}
