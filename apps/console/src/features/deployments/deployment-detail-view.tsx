'use client';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Rocket, SquareTerminal, Trash2 } from 'lucide-react';
import { DeleteDeploymentMutation, DeploymentDetailQuery } from '@/graphql/serving';
import { describeError } from '@/lib/api-error';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { LiveStats } from './live-stats';
import { PromotionPanel } from './promotion-panel';
import { RoutesEditor } from './routes-editor';

/** `/deployments/{name}`: traffic split (canary slider, promote, roll back), guarded promotions and live stats. */
export function DeploymentDetailView() {
  const params = useParams<{ name: string }>();
  const name = decodeURIComponent(params.name);
  const viewer = useViewer();
  const router = useRouter();
  const toast = useToast();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: DeploymentDetailQuery,
    variables: { name },
  });
  // A promotion moves the routes on the server: read them again when it does.
  const reloadRoutes = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const [promoting, setPromoting] = useState(false);
  const [, deleteDeployment] = useMutation(DeleteDeploymentMutation);
  const deployment = data?.deployment;

  if (!deployment) {
    return (
      <>
        <PageHeader title={name} breadcrumbs={[{ href: '/deployments', label: 'Deployments' }]} />
        <ErrorMessage
          error={describeError(error)}
          title="Cannot load the deployment"
          className="mb-4"
        />
        {fetching ? (
          <LoadingRows rows={5} />
        ) : !error ? (
          <Card>
            <EmptyState icon={<Rocket />} title={`No deployment named "${name}"`} />
          </Card>
        ) : null}
      </>
    );
  }

  const canEdit = can(viewer.role, 'edit');
  const versions = deployment.model.versions.edges.map((e) => e.node);
  return (
    <>
      <PageHeader
        breadcrumbs={[{ href: '/deployments', label: 'Deployments' }]}
        title={deployment.name}
        description={
          <>
            Serves{' '}
            <Link
              href={`/models/${encodeURIComponent(deployment.model.name)}`}
              className="text-primary hover:underline"
            >
              {deployment.model.name}
            </Link>{' '}
            ·{' '}
            <span className="font-mono text-xs">predict(model: &quot;{deployment.name}&quot;)</span>{' '}
            · <span className="font-mono text-xs">/v2/models/{deployment.name}/infer</span> ·
            updated <RelativeTime iso={deployment.updatedAt} />
          </>
        }
        actions={
          <>
            <Link
              href={`/playground?deployment=${encodeURIComponent(deployment.name)}`}
              className="inline-flex h-9 items-center gap-2 rounded-md border border-input bg-card px-4 text-sm font-medium hover:bg-muted"
            >
              <SquareTerminal aria-hidden className="size-4" />
              Try it
            </Link>
            {canEdit ? (
              <ConfirmDialog
                title={`Delete deployment ${deployment.name}?`}
                description="Clients calling this endpoint get errors from now on. The model and its versions stay."
                confirmLabel="Delete deployment"
                confirmText={deployment.name}
                onConfirm={async () => {
                  const result = await deleteDeployment(
                    { name: deployment.name },
                    { additionalTypenames: ['Deployment'] },
                  );
                  if (result.error) return describeError(result.error);
                  toast.success(`Deployment ${deployment.name} deleted.`);
                  router.push('/deployments');
                  return null;
                }}
                trigger={
                  <Button variant="ghost">
                    <Trash2 aria-hidden />
                    Delete
                  </Button>
                }
              />
            ) : null}
          </>
        }
      />
      <div className="grid gap-6">
        <RoutesEditor
          deploymentName={deployment.name}
          saved={deployment.routes.map((r) => ({
            versionId: r.version.id,
            version: r.version.version,
            weight: r.weight,
          }))}
          versions={versions}
          canEdit={canEdit}
          lockedBy={
            promoting
              ? 'A promotion is in progress: it sets the weights step by step (cancel it to edit them).'
              : null
          }
        />
        <PromotionPanel
          deploymentName={deployment.name}
          versions={versions}
          servingVersionIds={deployment.routes.filter((r) => r.weight > 0).map((r) => r.version.id)}
          canEdit={canEdit}
          onRoutesMoved={reloadRoutes}
          onLive={setPromoting}
        />
        <LiveStats name={deployment.name} />
      </div>
    </>
  );
}
