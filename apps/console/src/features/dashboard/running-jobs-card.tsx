'use client';
import Link from 'next/link';
import { useCallback } from 'react';
import { FlaskConical } from 'lucide-react';
import type { JobListFieldsFragment } from '@/gql/graphql';
import { humanizeEnum } from '@/lib/format';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, LoadingRows } from '@/components/ui/states';
import { JobProgress } from '@/features/jobs/job-progress';
import { JobStatusBadge } from '@/features/jobs/job-status';
import { useLiveJobs } from '@/features/jobs/use-live-jobs';

/** Running jobs with live progress (the list refetches when a new job starts). */
export function RunningJobsCard({
  jobs,
  loading,
  refetch,
}: {
  jobs: readonly JobListFieldsFragment[];
  loading: boolean;
  refetch: () => void;
}) {
  const onUnknown = useCallback(() => refetch(), [refetch]);
  const live = useLiveJobs(jobs, onUnknown);
  return (
    <Card>
      <CardHeader
        title="Running jobs"
        description="Progress updates live"
        actions={
          <Link href="/jobs" className="text-xs font-medium text-primary hover:underline">
            All jobs
          </Link>
        }
      />
      <CardBody>
        {loading ? (
          <LoadingRows rows={2} />
        ) : live.length === 0 ? (
          <EmptyState
            icon={<FlaskConical />}
            title="No job is running"
            description="Start one from Training jobs."
          />
        ) : (
          <ul className="grid gap-3">
            {live.map((job) => (
              <li key={job.id} className="grid gap-1.5 rounded-lg border border-border px-3 py-2">
                <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
                  <Link
                    href={`/jobs/${job.id}`}
                    className="font-medium hover:text-primary hover:underline"
                  >
                    {job.model.name}
                  </Link>
                  <span className="flex items-center gap-2 text-xs text-muted-foreground">
                    {humanizeEnum(job.algorithm)} · {job.dataset.name}
                    <JobStatusBadge status={job.status} />
                  </span>
                </div>
                <JobProgress
                  status={job.status}
                  epoch={job.epoch}
                  epochs={job.epochs}
                  progress={job.progress}
                />
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
