'use client';
import Link from 'next/link';
import { useQuery } from 'urql';
import { WorkspaceQuotaQuery } from '@/graphql/sharing';
import { describeError } from '@/lib/api-error';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ErrorMessage, LoadingRows } from '@/components/ui/states';
import { quotaLines, type QuotaName } from './quota';
import { QuotaBar } from './quota-bar';

/** The signed-in workspace's usage against its quotas (all of them, or `names`). */
export function QuotaCard({
  title = 'Quotas',
  description = 'Usage of this workspace against its limits. The root key sets them.',
  names,
  className,
}: {
  title?: string;
  description?: string;
  names?: readonly QuotaName[];
  className?: string;
}) {
  const [{ data, fetching, error }] = useQuery({
    query: WorkspaceQuotaQuery,
    requestPolicy: 'cache-and-network',
  });
  const workspace = data?.viewer.workspace;
  const lines = workspace ? quotaLines(workspace.quota, workspace.usage, names) : [];
  return (
    <Card className={className} role="region" aria-label={title}>
      <CardHeader
        title={title}
        description={description}
        actions={
          names ? null : (
            <Link href="/usage" className="text-xs font-medium text-primary hover:underline">
              Usage
            </Link>
          )
        }
      />
      <CardBody>
        <ErrorMessage error={describeError(error)} title="Cannot load quotas" />
        {fetching && !data ? (
          <LoadingRows rows={3} label="Loading quotas" />
        ) : (
          <div className="grid gap-x-8 gap-y-4 sm:grid-cols-2">
            {lines.map((line) => (
              <QuotaBar key={line.definition.quota} line={line} />
            ))}
          </div>
        )}
      </CardBody>
    </Card>
  );
}
