import type { JobStatus } from '@/gql/graphql';
import { ProgressBar } from '@/components/ui/progress';

/** A job's progress bar with "epoch / epochs". */
export function JobProgress({
  status,
  epoch,
  epochs,
  progress,
}: {
  status: JobStatus;
  epoch: number;
  epochs: number;
  progress: number;
}) {
  const tone =
    status === 'FAILED'
      ? 'danger'
      : status === 'SUCCEEDED'
        ? 'success'
        : status === 'CANCELLED'
          ? 'muted'
          : 'primary';
  return (
    <div className="flex min-w-36 items-center gap-2">
      <ProgressBar
        value={progress}
        label={`Epoch ${epoch} of ${epochs}`}
        tone={tone}
        className="flex-1"
      />
      <span className="text-xs whitespace-nowrap text-muted-foreground tabular-nums">
        {epoch}/{epochs}
      </span>
    </div>
  );
}
