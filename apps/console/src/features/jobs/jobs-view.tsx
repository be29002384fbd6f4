'use client';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';
import { useQuery } from 'urql';
import { FlaskConical, Plus } from 'lucide-react';
import type { JobStatus } from '@/gql/graphql';
import { TrainingJobsQuery } from '@/graphql/training';
import { describeError } from '@/lib/api-error';
import { humanizeEnum } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { useCursorPages } from '@/lib/use-cursor-pages';
import { cn } from '@/lib/cn';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { RelativeTime } from '@/components/time';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { JobProgress } from './job-progress';
import { JobStatusBadge, formatDuration, jobStatuses } from './job-status';
import { useLiveJobs } from './use-live-jobs';

const pageSize = 20;

/** `/jobs`: training jobs, newest first, filterable by status, updated live. */
export function JobsView() {
  const viewer = useViewer();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const statusParam = params.get('status');
  const status = jobStatuses.includes(statusParam as JobStatus) ? (statusParam as JobStatus) : null;
  const modelId = params.get('model');
  const pages = useCursorPages();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: TrainingJobsQuery,
    variables: { first: pageSize, after: pages.after, status, modelId },
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const connection = data?.trainingJobs;
  const jobs = useLiveJobs(
    connection?.edges.map((e) => e.node) ?? [],
    // A new job appeared: show it when looking at the first page.
    pages.page === 1 ? refetch : () => undefined,
  );

  const setStatus = (next: JobStatus | null) => {
    const search = new URLSearchParams(params.toString());
    if (next) search.set('status', next);
    else search.delete('status');
    pages.reset();
    router.replace(`${pathname}${search.size ? `?${search.toString()}` : ''}`, { scroll: false });
  };

  return (
    <>
      <PageHeader
        title="Training jobs"
        description="Jobs train a model on a dataset and add the result as a new version. This list updates live."
        actions={
          can(viewer.role, 'edit') ? (
            <Link
              href="/jobs/new"
              className="inline-flex h-9 items-center gap-2 rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:bg-primary/90"
            >
              <Plus aria-hidden className="size-4" />
              New training job
            </Link>
          ) : null
        }
      />
      <Card>
        <CardBody className="pt-4">
          <div role="group" aria-label="Filter by status" className="mb-4 flex flex-wrap gap-1">
            {[null, ...jobStatuses].map((s) => (
              <button
                key={s ?? 'all'}
                type="button"
                aria-pressed={status === s}
                onClick={() => setStatus(s)}
                className={cn(
                  'rounded-full border px-3 py-1 text-xs font-medium transition-colors',
                  status === s
                    ? 'border-primary bg-accent text-accent-foreground'
                    : 'border-border text-muted-foreground hover:bg-muted hover:text-foreground',
                )}
              >
                {s ? humanizeEnum(s) : 'All'}
              </button>
            ))}
          </div>
          <ErrorMessage error={describeError(error)} title="Cannot list jobs" className="mb-4" />
          {fetching && !data ? (
            <LoadingRows rows={5} label="Loading jobs" />
          ) : jobs.length === 0 ? (
            <EmptyState
              icon={<FlaskConical />}
              title={status ? `No ${status.toLowerCase()} jobs` : 'No training jobs yet'}
              description={
                can(viewer.role, 'edit')
                  ? 'Upload a dataset, then start a job from "New training job".'
                  : 'Jobs appear here once an editor starts one.'
              }
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>Job</Th>
                  <Th>Model</Th>
                  <Th>Dataset</Th>
                  <Th>Algorithm</Th>
                  <Th>Status</Th>
                  <Th>Progress</Th>
                  <Th>Result</Th>
                  <Th>Created</Th>
                  <Th>Duration</Th>
                </tr>
              </THead>
              <TBody>
                {jobs.map((job) => (
                  <Tr key={job.id}>
                    <Td>
                      <Link
                        href={`/jobs/${job.id}`}
                        className="font-mono text-xs font-medium text-primary hover:underline"
                      >
                        {job.id.slice(0, 8)}
                      </Link>
                    </Td>
                    <Td>
                      <Link
                        href={`/models/${encodeURIComponent(job.model.name)}`}
                        className="hover:underline"
                      >
                        {job.model.name}
                      </Link>
                    </Td>
                    <Td>
                      <Link href={`/datasets/${job.dataset.id}`} className="hover:underline">
                        {job.dataset.name}
                      </Link>
                    </Td>
                    <Td className="whitespace-nowrap text-muted-foreground">
                      {humanizeEnum(job.algorithm)}
                    </Td>
                    <Td>
                      <JobStatusBadge status={job.status} />
                    </Td>
                    <Td>
                      <JobProgress
                        status={job.status}
                        epoch={job.epoch}
                        epochs={job.epochs}
                        progress={job.progress}
                      />
                    </Td>
                    <Td>
                      {job.resultVersion ? (
                        <Link
                          href={`/models/${encodeURIComponent(job.model.name)}?version=${job.resultVersion.version}`}
                          className="tabular-nums hover:underline"
                        >
                          v{job.resultVersion.version}
                        </Link>
                      ) : (
                        <span className="text-muted-foreground">—</span>
                      )}
                    </Td>
                    <Td className="text-muted-foreground">
                      <RelativeTime iso={job.createdAt} />
                    </Td>
                    <Td className="whitespace-nowrap text-muted-foreground tabular-nums">
                      {formatDuration(job.startedAt, job.finishedAt)}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
          <Pager
            page={pages.page}
            pageSize={pageSize}
            total={connection?.totalCount}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(connection?.pageInfo.hasNextPage)}
            onPrevious={pages.previous}
            onNext={() => pages.next(connection?.pageInfo.endCursor)}
            noun="jobs"
          />
        </CardBody>
      </Card>
    </>
  );
}
