'use client';
import Link from 'next/link';
import { useQuery } from 'urql';
import { Cpu, Rocket } from 'lucide-react';
import { DeploymentsQuery, InferenceStatusQuery } from '@/graphql/serving';
import { describeError } from '@/lib/api-error';
import { formatBytes } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { CreateDeploymentDialog } from './create-deployment-dialog';
import { WeightBar } from './weight-bar';

/** `/deployments`: endpoints, the model behind each and how traffic is split. */
export function DeploymentsView() {
  const viewer = useViewer();
  const [{ data, fetching, error }] = useQuery({ query: DeploymentsQuery });
  const [engine] = useQuery({ query: InferenceStatusQuery });
  const deployments = data?.deployments ?? [];
  const status = engine.data?.inferenceStatus;
  return (
    <>
      <PageHeader
        title="Deployments"
        description="Named endpoints that route predictions to one or more versions of a model."
        actions={can(viewer.role, 'edit') ? <CreateDeploymentDialog /> : null}
      />
      {status ? (
        <p className="mb-4 flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
          <Cpu aria-hidden className="size-4" />
          Inference on{' '}
          <span className="font-medium text-foreground uppercase">
            {status.executionProvider}
          </span>{' '}
          · {status.workers} worker{status.workers === 1 ? '' : 's'} · {status.loadedVersions}{' '}
          version
          {status.loadedVersions === 1 ? '' : 's'} loaded ({formatBytes(status.loadedBytes)})
        </p>
      ) : null}
      <Card>
        <CardBody className="pt-4">
          <ErrorMessage
            error={describeError(error)}
            title="Cannot list deployments"
            className="mb-4"
          />
          {fetching && !data ? (
            <LoadingRows rows={4} label="Loading deployments" />
          ) : deployments.length === 0 ? (
            <EmptyState
              icon={<Rocket />}
              title="No deployments yet"
              description="predict also works with a model name (its production alias, else the latest version); a deployment adds a stable endpoint and canary releases."
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>Endpoint</Th>
                  <Th>Model</Th>
                  <Th>Traffic</Th>
                  <Th>Updated</Th>
                </tr>
              </THead>
              <TBody>
                {deployments.map((d) => (
                  <Tr key={d.id}>
                    <Td>
                      <Link
                        href={`/deployments/${encodeURIComponent(d.name)}`}
                        className="font-medium hover:text-primary hover:underline"
                      >
                        {d.name}
                      </Link>
                    </Td>
                    <Td>
                      <Link
                        href={`/models/${encodeURIComponent(d.model.name)}`}
                        className="hover:underline"
                      >
                        {d.model.name}
                      </Link>
                    </Td>
                    <Td className="w-1/3">
                      <WeightBar routes={d.routes} />
                    </Td>
                    <Td className="text-muted-foreground">
                      <RelativeTime iso={d.updatedAt} />
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
