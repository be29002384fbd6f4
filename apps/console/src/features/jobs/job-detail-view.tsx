'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useMutation } from 'urql';
import { Ban, FlaskConical, RotateCcw } from 'lucide-react';
import { CancelTrainingJobMutation, RetryTrainingJobMutation } from '@/graphql/training';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { formatMetric, humanizeEnum, jsonEntries } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ProgressBar } from '@/components/ui/progress';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { useState } from 'react';
import { JobStatusBadge, formatDuration, isFinal } from './job-status';
import { LossChart } from './loss-chart';
import { useJobStream } from './use-job-stream';

/** `/jobs/{id}`: a job's status, progress and loss curve, live; cancel and retry. */
export function JobDetailView() {
  const { id } = useParams<{ id: string }>();
  const viewer = useViewer();
  const toast = useToast();
  const stream = useJobStream(id);
  const [actionError, setActionError] = useState<ApiErrorInfo | null>(null);
  const [cancelState, cancelJob] = useMutation(CancelTrainingJobMutation);
  const [retryState, retryJob] = useMutation(RetryTrainingJobMutation);
  const { job, history } = stream;

  if (!job) {
    return (
      <>
        <PageHeader title="Training job" breadcrumbs={[{ href: '/jobs', label: 'Jobs' }]} />
        <ErrorMessage error={stream.error} title="Cannot load the job" className="mb-4" />
        {stream.notFound ? (
          <Card>
            <EmptyState
              icon={<FlaskConical />}
              title="No such job"
              description="It may belong to another workspace."
            />
          </Card>
        ) : stream.error ? null : (
          <LoadingRows rows={6} label="Loading the job" />
        )}
      </>
    );
  }

  const canEdit = can(viewer.role, 'edit');
  const last = history[history.length - 1];
  const metrics = jsonEntries(last?.metrics);
  const cancel = async () => {
    setActionError(null);
    const result = await cancelJob({ id: job.id });
    if (result.error) setActionError(describeError(result.error));
    else toast.success('Cancellation requested.');
  };
  const retry = async () => {
    setActionError(null);
    const result = await retryJob({ id: job.id });
    if (result.error) setActionError(describeError(result.error));
    else toast.success('Job queued again.');
  };

  return (
    <>
      <PageHeader
        breadcrumbs={[{ href: '/jobs', label: 'Jobs' }]}
        title={
          <span className="flex flex-wrap items-center gap-3">
            Train {job.model.name}
            <JobStatusBadge status={job.status} />
          </span>
        }
        description={
          <>
            {humanizeEnum(job.algorithm)} on{' '}
            <Link className="text-primary hover:underline" href={`/datasets/${job.dataset.id}`}>
              {job.dataset.name}
            </Link>
            , predicting <span className="font-mono">{job.target}</span> · job{' '}
            <span className="font-mono">{job.id.slice(0, 8)}</span>
          </>
        }
        actions={
          canEdit ? (
            <>
              {!isFinal(job.status) ? (
                <Button variant="outline" onClick={() => void cancel()} busy={cancelState.fetching}>
                  <Ban aria-hidden />
                  Cancel
                </Button>
              ) : null}
              {job.status === 'FAILED' || job.status === 'CANCELLED' ? (
                <Button variant="outline" onClick={() => void retry()} busy={retryState.fetching}>
                  <RotateCcw aria-hidden />
                  Retry
                </Button>
              ) : null}
            </>
          ) : null
        }
      />
      <ErrorMessage error={actionError} title="Not done" className="mb-4" />
      {job.error ? (
        <ErrorMessage
          error={{ message: job.error }}
          title={job.status === 'FAILED' ? 'The job failed' : 'Last error'}
          className="mb-4"
        />
      ) : null}

      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Epoch">
          <span data-testid="job-epoch">{job.epoch}</span>
          <span className="text-base font-normal text-muted-foreground"> / {job.epochs}</span>
        </Stat>
        <Stat label="Loss">{last ? formatMetric(last.loss) : '—'}</Stat>
        <Stat label="Validation loss">
          {last?.validationLoss != null ? formatMetric(last.validationLoss) : '—'}
        </Stat>
        <Stat label="Duration">{formatDuration(job.startedAt, job.finishedAt)}</Stat>
      </div>

      <Card className="mb-6">
        <CardHeader
          title="Loss"
          description="Grows live as the worker finishes epochs"
          actions={
            <span className="text-xs text-muted-foreground tabular-nums">
              {Math.round(job.progress * 100)}%
            </span>
          }
        />
        <CardBody className="grid gap-4">
          <ProgressBar
            value={job.progress}
            label="Training progress"
            tone={
              job.status === 'FAILED'
                ? 'danger'
                : job.status === 'SUCCEEDED'
                  ? 'success'
                  : job.status === 'CANCELLED'
                    ? 'muted'
                    : 'primary'
            }
          />
          <LossChart history={history} epochs={job.epochs} />
        </CardBody>
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Details" />
          <CardBody>
            <dl className="grid grid-cols-[7rem_1fr] gap-x-4 gap-y-2 text-sm sm:grid-cols-[9rem_1fr]">
              <dt className="text-muted-foreground">Model</dt>
              <dd>
                <Link
                  className="text-primary hover:underline"
                  href={`/models/${encodeURIComponent(job.model.name)}`}
                >
                  {job.model.name}
                </Link>
              </dd>
              <dt className="text-muted-foreground">Result</dt>
              <dd>
                {job.resultVersion ? (
                  <Link
                    className="text-primary hover:underline"
                    href={`/models/${encodeURIComponent(job.model.name)}?version=${job.resultVersion.version}`}
                  >
                    version {job.resultVersion.version}
                  </Link>
                ) : (
                  <span className="text-muted-foreground">
                    {isFinal(job.status) ? 'none' : 'when the job succeeds'}
                  </span>
                )}
              </dd>
              <dt className="text-muted-foreground">Warm start</dt>
              <dd>
                {job.warmStartVersion ? (
                  <Link
                    className="text-primary hover:underline"
                    href={`/models/${encodeURIComponent(job.model.name)}?version=${job.warmStartVersion.version}`}
                  >
                    from version {job.warmStartVersion.version} (model update)
                  </Link>
                ) : (
                  <span className="text-muted-foreground">no: fresh weights</span>
                )}
              </dd>
              <dt className="text-muted-foreground">Features</dt>
              <dd className="flex flex-wrap gap-1">
                {job.features.map((f) => (
                  <Badge key={f} tone="outline" className="font-mono">
                    {f}
                  </Badge>
                ))}
              </dd>
              <dt className="text-muted-foreground">Attempts</dt>
              <dd className="tabular-nums">{job.attempts}</dd>
              <dt className="text-muted-foreground">Created</dt>
              <dd>
                <RelativeTime iso={job.createdAt} />
              </dd>
              <dt className="text-muted-foreground">Finished</dt>
              <dd>
                <RelativeTime iso={job.finishedAt} />
              </dd>
            </dl>
            {metrics.length ? (
              <>
                <h3 className="mt-5 mb-2 text-sm font-medium">Metrics at epoch {last?.epoch}</h3>
                <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3">
                  {metrics.map(([name, value]) => (
                    <div key={name} className="rounded-lg border border-border px-3 py-2">
                      <dt className="text-xs text-muted-foreground">{name}</dt>
                      <dd className="font-mono font-semibold tabular-nums">
                        {formatMetric(value)}
                      </dd>
                    </div>
                  ))}
                </dl>
              </>
            ) : null}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Hyperparameters" description="Resolved values, defaults filled in" />
          <CardBody>
            <dl className="grid grid-cols-1 gap-x-6 text-sm sm:grid-cols-2">
              {jsonEntries(job.hyperparameters).map(([name, value]) => (
                <div
                  key={name}
                  className="flex items-baseline justify-between gap-2 border-b border-border py-1.5"
                >
                  <dt className="text-muted-foreground">{name}</dt>
                  <dd className="font-mono text-xs">{formatMetric(value)}</dd>
                </div>
              ))}
            </dl>
          </CardBody>
        </Card>
      </div>
    </>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="rounded-xl border border-border bg-card p-4 shadow-xs">
      <p className="text-sm text-muted-foreground">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{children}</p>
    </div>
  );
}
