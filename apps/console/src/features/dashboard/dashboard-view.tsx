'use client';
import Link from 'next/link';
import { useCallback } from 'react';
import { useQuery } from 'urql';
import { Boxes, Cpu, Database, FlaskConical, Rocket, Upload } from 'lucide-react';
import { DashboardRegistryQuery } from '@/graphql/registry';
import { DashboardServingQuery } from '@/graphql/serving';
import { DashboardTrainingQuery } from '@/graphql/training';
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
import { QuotaCard } from '@/features/quotas/quota-card';
import { RunningJobsCard } from './running-jobs-card';
import { StatCard } from './stat-card';
import { ThroughputCard } from './throughput-card';
import { recentVersions } from './recent-versions';

/** `/`: counts, live jobs and traffic, usage against quotas, and the newest versions. */
export function DashboardView() {
  const viewer = useViewer();
  const [{ data, fetching, error }] = useQuery({ query: DashboardRegistryQuery });
  const [training, refetchTraining] = useQuery({ query: DashboardTrainingQuery });
  const [serving] = useQuery({ query: DashboardServingQuery });
  const refreshJobs = useCallback(
    () => refetchTraining({ requestPolicy: 'network-only' }),
    [refetchTraining],
  );
  const running = training.data?.running;
  const engine = serving.data?.inferenceStatus;
  const models = data?.models.edges.map((edge) => edge.node) ?? [];
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
          label="Datasets"
          value={training.data?.datasets.totalCount}
          href="/datasets"
          icon={Database}
        />
        <StatCard
          label="Running jobs"
          value={running?.totalCount}
          hint={training.data ? `${training.data.queued.totalCount} queued` : undefined}
          href="/jobs?status=RUNNING"
          icon={FlaskConical}
        />
        <StatCard
          label="Deployments"
          value={serving.data?.deployments.length}
          href="/deployments"
          icon={Rocket}
        />
      </div>
      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <RunningJobsCard
          jobs={running?.edges.map((e) => e.node) ?? []}
          loading={training.fetching && !training.data}
          refetch={refreshJobs}
        />
        <ThroughputCard deployments={serving.data?.deployments ?? []} />
      </div>
      <QuotaCard className="mb-6" />
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
                        className="font-medium whitespace-nowrap hover:underline"
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
      {engine ? (
        <p className="mt-4 flex items-center gap-2 text-xs text-muted-foreground">
          <Cpu aria-hidden className="size-3.5" />
          Inference on {engine.executionProvider.toUpperCase()} · {engine.workers} worker
          {engine.workers === 1 ? '' : 's'} · {engine.loadedVersions} loaded version
          {engine.loadedVersions === 1 ? '' : 's'} ({formatBytes(engine.loadedBytes)})
        </p>
      ) : null}
    </>
  );
}
