'use client';
import Link from 'next/link';
import { useQuery } from 'urql';
import { VersionLineageQuery } from '@/graphql/training';
import { humanizeEnum } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { JobStatusBadge } from '@/features/jobs/job-status';

/** The training job and dataset a version came from (rows of the lineage list). */
export function TrainingLineage({ versionId }: { versionId: string }) {
  const [{ data, fetching }] = useQuery({
    query: VersionLineageQuery,
    variables: { id: versionId },
  });
  const job = data?.modelVersion?.trainingJob;
  if (fetching && !data) {
    return (
      <>
        <dt className="text-muted-foreground">Training job</dt>
        <dd className="text-muted-foreground">…</dd>
      </>
    );
  }
  if (!job) return null;
  return (
    <>
      <dt className="text-muted-foreground">Training job</dt>
      <dd className="flex flex-wrap items-center gap-2">
        <Link href={`/jobs/${job.id}`} className="text-primary hover:underline">
          {humanizeEnum(job.algorithm)} → {job.target}
        </Link>
        <JobStatusBadge status={job.status} />
      </dd>
      <dt className="text-muted-foreground">Dataset</dt>
      <dd className="flex items-center gap-2">
        <Link href={`/datasets/${job.dataset.id}`} className="text-primary hover:underline">
          {job.dataset.name}
        </Link>
        {job.dataset.deletedAt ? <Badge tone="danger">deleted</Badge> : null}
      </dd>
    </>
  );
}
