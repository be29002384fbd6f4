import { ChevronLeft, ChevronRight } from 'lucide-react';
import { Button } from './ui/button';

/** Previous / next for cursor pages, with "page N" and the total. */
export function Pager({
  page,
  pageSize,
  total,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  noun,
}: {
  page: number;
  pageSize: number;
  total: number | undefined;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  noun: string;
}) {
  const first = (page - 1) * pageSize + 1;
  const last = total === undefined ? undefined : Math.min(total, page * pageSize);
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 pt-4 text-sm text-muted-foreground">
      <p aria-live="polite">
        {total === undefined
          ? '\u00a0'
          : total === 0
            ? `No ${noun}`
            : `${first}–${last} of ${total} ${noun}`}
      </p>
      <div className="flex gap-2">
        <Button variant="outline" size="sm" onClick={onPrevious} disabled={!hasPrevious}>
          <ChevronLeft aria-hidden />
          Previous
        </Button>
        <Button variant="outline" size="sm" onClick={onNext} disabled={!hasNext}>
          Next
          <ChevronRight aria-hidden />
        </Button>
      </div>
    </div>
  );
}
