'use client';
import { useQuery } from 'urql';
import { Building2, ShieldOff } from 'lucide-react';
import type { WorkspacesUsageQuery } from '@/gql/graphql';
import { WorkspacesUsageQuery as WorkspacesUsageDocument } from '@/graphql/sharing';
import { describeError } from '@/lib/api-error';
import { useViewer } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { formatLimit, quotaLines } from '@/features/quotas/quota';
import { QuotaBar } from '@/features/quotas/quota-bar';
import { QuotaDialog } from './quota-dialog';

type WorkspaceRow = WorkspacesUsageQuery['workspaces'][number];

/** `/workspaces`: the root key's view of every workspace's usage and quotas, and where to set them. */
export function WorkspacesView() {
  const viewer = useViewer();
  if (!viewer.isRoot) {
    return (
      <>
        <PageHeader title="Workspaces" />
        <Card>
          <EmptyState
            icon={<ShieldOff />}
            title="Only the root key manages workspaces"
            description="Quotas are set by the platform's operator with the root key (ADMIN_API_KEY)."
          />
        </Card>
      </>
    );
  }
  return <RootWorkspaces />;
}

function RootWorkspaces() {
  const [{ data, fetching, error }] = useQuery({
    query: WorkspacesUsageDocument,
    requestPolicy: 'cache-and-network',
  });
  const workspaces = data?.workspaces ?? [];

  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Every tenant's usage against its quotas. Empty quotas are unlimited; requests over a quota are refused with QUOTA_EXCEEDED."
      />
      <ErrorMessage error={describeError(error)} title="Cannot list workspaces" className="mb-4" />
      {fetching && !data ? (
        <Card>
          <CardBody className="pt-4">
            <LoadingRows rows={3} label="Loading workspaces" />
          </CardBody>
        </Card>
      ) : workspaces.length === 0 ? (
        <Card>
          <EmptyState icon={<Building2 />} title="No workspaces" />
        </Card>
      ) : (
        <div className="grid gap-6">
          {workspaces.map((workspace) => (
            <WorkspaceCard key={workspace.id} workspace={workspace} />
          ))}
        </div>
      )}
    </>
  );
}

function WorkspaceCard({ workspace }: { workspace: WorkspaceRow }) {
  const lines = quotaLines(workspace.quota, workspace.usage);
  return (
    <Card role="region" aria-label={`Workspace ${workspace.name}`} data-workspace={workspace.name}>
      <CardHeader
        title={workspace.name}
        description={
          <>
            Created <RelativeTime iso={workspace.createdAt} /> · versions per model:{' '}
            {formatLimit(workspace.quota.maxVersionsPerModel, 'count')} · requests per key:{' '}
            {formatLimit(workspace.quota.requestsPerSecond, 'rate')}
          </>
        }
        actions={<QuotaDialog workspace={workspace} />}
      />
      <CardBody>
        <div className="grid gap-x-8 gap-y-4 sm:grid-cols-2 lg:grid-cols-3">
          {lines.map((line) => (
            <QuotaBar key={line.definition.quota} line={line} />
          ))}
        </div>
      </CardBody>
    </Card>
  );
}
