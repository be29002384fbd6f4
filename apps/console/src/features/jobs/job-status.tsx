import { Ban, CheckCircle2, Clock, Loader2, XCircle } from 'lucide-react';
import type { JobStatus } from '@/gql/graphql';
import { Badge, type BadgeTone } from '@/components/ui/badge';

const look: Record<JobStatus, { tone: BadgeTone; label: string; icon: typeof Clock }> = {
  QUEUED: { tone: 'neutral', label: 'queued', icon: Clock },
  RUNNING: { tone: 'primary', label: 'running', icon: Loader2 },
  SUCCEEDED: { tone: 'success', label: 'succeeded', icon: CheckCircle2 },
  FAILED: { tone: 'danger', label: 'failed', icon: XCircle },
  CANCELLED: { tone: 'outline', label: 'cancelled', icon: Ban },
};

/** A job's status, with a spinning icon while it runs. */
export function JobStatusBadge({ status }: { status: JobStatus }) {
  const { tone, label, icon: Icon } = look[status];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className={status === 'RUNNING' ? 'size-3 animate-spin' : 'size-3'} />
      {label}
    </Badge>
  );
}

export const jobStatuses: readonly JobStatus[] = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
];

/** Whether the job can change no more. */
export function isFinal(status: JobStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
}

/** "1 m 05 s" between two instants (or until now for a running job). */
export function formatDuration(
  fromIso: string | null,
  toIso: string | null,
  now = Date.now(),
): string {
  if (!fromIso) return '—';
  const ms = Math.max(0, (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso));
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}
