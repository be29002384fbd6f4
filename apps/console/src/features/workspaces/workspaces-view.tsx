'use client';
import { useQuery } from 'urql';
import { Building2, ShieldOff } from 'lucide-react';
import type { WorkspacesUsageQuery } from '@/gql/graphql';
import { WorkspacesUsageQuery as WorkspacesUsageDocument } from '@/graphql/sharing';
import { describeError } from '@/lib/api-error';
import { useViewer } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { formatLimit, quotaDefinitions, quotaLines } from '@/features/quotas/quota';
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

const rateDefinition = quotaDefinitions.find((d) => d.quota === 'requestsPerSecond');
const versionsDefinition = quotaDefinitions.find((d) => d.quota === 'maxVersionsPerModel');

function RootWorkspaces() {
  const [{ data, fetching, error }] = useQuery({
    query: WorkspacesUsageDocument,
    requestPolicy: 'cache-and-network',
  });
  const workspaces = data?.workspaces ?? [];
  const columns = workspaces[0]
    ? quotaLines(workspaces[0].quota, workspaces[0].usage).map((l) => l.definition)
    : [];

  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Every tenant's usage against its quotas. Empty quotas are unlimited; requests over a quota are refused with QUOTA_EXCEEDED."
      />
      <Card>
        <CardBody className="pt-4">
          <ErrorMessage
            error={describeError(error)}
            title="Cannot list workspaces"
            className="mb-4"
          />
          {fetching && !data ? (
            <LoadingRows rows={3} label="Loading workspaces" />
          ) : workspaces.length === 0 ? (
            <EmptyState icon={<Building2 />} title="No workspaces" />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>Workspace</Th>
                  {columns.map((d) => (
                    <Th key={d.quota} title={d.hint}>
                      {d.label}
                    </Th>
                  ))}
                  <Th title={versionsDefinition?.hint}>Versions / model</Th>
                  <Th title={rateDefinition?.hint}>Rate / key</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </THead>
              <TBody>
                {workspaces.map((workspace) => (
                  <WorkspaceTableRow key={workspace.id} workspace={workspace} />
                ))}
              </TBody>
            </Table>
          )}
        </CardBody>
      </Card>
    </>
  );
}

function WorkspaceTableRow({ workspace }: { workspace: WorkspaceRow }) {
  const lines = quotaLines(workspace.quota, workspace.usage);
  return (
    <Tr data-workspace={workspace.name}>
      <Td>
        <p className="font-medium whitespace-nowrap">{workspace.name}</p>
        <p className="text-xs text-muted-foreground">
          created <RelativeTime iso={workspace.createdAt} />
        </p>
      </Td>
      {lines.map((line) => (
        <Td key={line.definition.quota}>
          <QuotaBar line={line} compact />
        </Td>
      ))}
      <Td className="text-xs whitespace-nowrap tabular-nums">
        {formatLimit(workspace.quota.maxVersionsPerModel, 'count')}
      </Td>
      <Td className="text-xs whitespace-nowrap tabular-nums">
        {formatLimit(workspace.quota.requestsPerSecond, 'rate')}
      </Td>
      <Td className="text-right">
        <QuotaDialog workspace={workspace} />
      </Td>
    </Tr>
  );
}
