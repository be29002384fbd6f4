'use client';
import Link from 'next/link';
import { useQuery } from 'urql';
import { Boxes, Rocket, Upload } from 'lucide-react';
import { DashboardRegistryQuery } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { formatBytes } from '@/lib/format';
import { useViewer } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { SourceBadge } from '@/features/models/source-badge';
import { StatCard } from './stat-card';
import { recentVersions } from './recent-versions';

/** `/`: counts and the newest versions across models. */
export function DashboardView() {
  const viewer = useViewer();
  const [{ data, fetching, error }] = useQuery({ query: DashboardRegistryQuery });
  const models = data?.models.edges.map((edge) => edge.node) ?? [];
  const inProduction = models.filter((m) => m.aliases.some((a) => a.alias === 'production'));
  const recent = recentVersions(models, 8);

  return (
    <>
      <PageHeader
        title="Dashboard"
        description={`Workspace ${viewer.workspace.name}: what is registered, trained and serving.`}
      />
      <ErrorMessage
        error={describeError(error)}
        title="Cannot load the dashboard"
        className="mb-4"
      />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <StatCard label="Models" value={data?.models.totalCount} href="/models" icon={Boxes} />
        <StatCard
          label="In production"
          value={data ? inProduction.length : undefined}
          hint="models with a production alias"
          href="/models"
          icon={Rocket}
        />
      </div>
      <Card>
        <CardHeader title="Recent versions" description="The newest version of each model" />
        <CardBody>
          {fetching && !data ? (
            <LoadingRows rows={4} label="Loading versions" />
          ) : recent.length === 0 ? (
            <EmptyState
              icon={<Upload />}
              title="No model versions yet"
              description="Create a model, then upload an ONNX file to it from its page."
              action={
                <Link className="text-sm font-medium text-primary hover:underline" href="/models">
                  Go to models
                </Link>
              }
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>Model</Th>
                  <Th>Version</Th>
                  <Th>Source</Th>
                  <Th>Aliases</Th>
                  <Th className="text-right">Size</Th>
                  <Th>Created</Th>
                </tr>
              </THead>
              <TBody>
                {recent.map(({ model, version }) => (
                  <Tr key={version.id}>
                    <Td>
                      <Link
                        href={`/models/${encodeURIComponent(model.name)}`}
                        className="font-medium hover:underline"
                      >
                        {model.name}
                      </Link>
                    </Td>
                    <Td className="tabular-nums">v{version.version}</Td>
                    <Td>
                      <SourceBadge source={version.source} />
                    </Td>
                    <Td>
                      <div className="flex flex-wrap gap-1">
                        {model.aliases
                          .filter((a) => a.version.id === version.id)
                          .map((a) => (
                            <Badge key={a.alias} tone="primary">
                              {a.alias}
                            </Badge>
                          ))}
                      </div>
                    </Td>
                    <Td className="text-right tabular-nums">{formatBytes(version.sizeBytes)}</Td>
                    <Td>
                      <RelativeTime iso={version.createdAt} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </CardBody>
      </Card>
    </>
  );
}
