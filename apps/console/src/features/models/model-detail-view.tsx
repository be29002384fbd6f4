'use client';
import Link from 'next/link';
import { useParams, usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';
import { useMutation, useQuery } from 'urql';
import { Boxes, FlaskConical, Trash2, Upload } from 'lucide-react';
import { DeleteModelMutation, ModelDetailQuery } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { formatBytes, humanizeEnum } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { useCursorPages } from '@/lib/use-cursor-pages';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows, Skeleton } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { cn } from '@/lib/cn';
import { EvaluationsCard } from '../evaluation/evaluations-card';
import { AliasesCard } from './aliases-card';
import { EditModelDialog } from './edit-model-dialog';
import { MetricTrend } from './metric-trend';
import { ModelTimeline } from './model-timeline';
import { SourceBadge } from './source-badge';
import { tagLabels } from './tags';
import { UploadVersionDialog } from './upload-version-dialog';
import { VersionPanel } from './version-panel';

const versionsPerPage = 20;

/** `/models/{name}`: a model, its versions (one shown in full), aliases and actions. */
export function ModelDetailView() {
  const params = useParams<{ name: string }>();
  const name = decodeURIComponent(params.name);
  const viewer = useViewer();
  const canEdit = can(viewer.role, 'edit');
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const toast = useToast();
  const pages = useCursorPages();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ModelDetailQuery,
    variables: { name, first: versionsPerPage, after: pages.after },
  });
  const [, deleteModel] = useMutation(DeleteModelMutation);

  const selectVersion = useCallback(
    (version: number | null) => {
      const next = new URLSearchParams(search.toString());
      if (version === null) next.delete('version');
      else next.set('version', String(version));
      router.replace(`${pathname}${next.size ? `?${next.toString()}` : ''}`, { scroll: false });
    },
    [pathname, router, search],
  );

  const model = data?.model;
  if (fetching && !data) {
    return (
      <>
        <Skeleton className="mb-2 h-4 w-24" />
        <Skeleton className="mb-6 h-8 w-64" />
        <LoadingRows rows={6} label="Loading the model" />
      </>
    );
  }
  if (!model) {
    return (
      <>
        <PageHeader title={name} breadcrumbs={[{ href: '/models', label: 'Models' }]} />
        <ErrorMessage error={describeError(error)} title="Cannot load the model" className="mb-4" />
        {!error ? (
          <Card>
            <EmptyState
              icon={<Boxes />}
              title={`No model named "${name}"`}
              description="It may have been deleted, or it belongs to another workspace."
              action={
                <Link href="/models" className="text-sm font-medium text-primary hover:underline">
                  All models
                </Link>
              }
            />
          </Card>
        ) : null}
      </>
    );
  }

  const versions = model.versions.edges.map((edge) => edge.node);
  const requested = Number(search.get('version'));
  const selected = versions.find((v) => v.version === requested) ?? versions[0] ?? null;
  const aliasesOf = (versionId: string) =>
    model.aliases.filter((a) => a.version.id === versionId).map((a) => a.alias);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  return (
    <>
      <PageHeader
        breadcrumbs={[{ href: '/models', label: 'Models' }]}
        title={model.name}
        description={model.description ?? undefined}
        actions={
          canEdit ? (
            <>
              <Link
                href={`/jobs/new?model=${encodeURIComponent(model.name)}`}
                className="inline-flex h-9 items-center gap-2 rounded-md border border-input bg-card px-4 text-sm font-medium hover:bg-muted"
              >
                <FlaskConical aria-hidden className="size-4" />
                Train
              </Link>
              <UploadVersionDialog
                modelName={model.name}
                onUploaded={(uploaded) => {
                  pages.reset();
                  selectVersion(uploaded.version);
                  refresh();
                }}
              />
              <EditModelDialog model={model} />
              <ConfirmDialog
                title={`Delete model ${model.name}?`}
                description="Every version and alias goes with it. The API refuses while a deployment routes to it."
                confirmLabel="Delete model"
                confirmText={model.name}
                onConfirm={async () => {
                  const result = await deleteModel(
                    { id: model.id },
                    { additionalTypenames: ['Model'] },
                  );
                  if (result.error) return describeError(result.error);
                  toast.success(`Model ${model.name} deleted.`);
                  router.push('/models');
                  return null;
                }}
                trigger={
                  <Button variant="ghost" aria-label={`Delete model ${model.name}`}>
                    <Trash2 aria-hidden />
                    Delete
                  </Button>
                }
              />
            </>
          ) : null
        }
      />
      <div className="mb-6 flex flex-wrap items-center gap-2 text-sm">
        <Badge tone="outline">{humanizeEnum(model.task)}</Badge>
        {tagLabels(model.tags).map((label) => (
          <Badge key={label} tone="neutral">
            {label}
          </Badge>
        ))}
        <span className="text-muted-foreground">
          · {model.versions.totalCount} version{model.versions.totalCount === 1 ? '' : 's'} ·
          updated <RelativeTime iso={model.updatedAt} />
        </span>
      </div>
      <ErrorMessage
        error={describeError(error)}
        title="Cannot refresh the model"
        className="mb-4"
      />

      <div className="grid gap-6 lg:grid-cols-[20rem_1fr]">
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader title="Versions" description="Highest first" />
            <CardBody>
              {versions.length === 0 ? (
                <EmptyState
                  icon={<Upload />}
                  title="No versions yet"
                  description={
                    canEdit
                      ? 'Upload an ONNX file with "Upload version", or train one.'
                      : 'Versions appear once an editor uploads or trains one.'
                  }
                />
              ) : (
                <ul className="grid gap-1" aria-label="Versions">
                  {versions.map((version) => {
                    const active = selected?.id === version.id;
                    return (
                      <li key={version.id}>
                        <button
                          type="button"
                          onClick={() => selectVersion(version.version)}
                          aria-current={active ? 'true' : undefined}
                          className={cn(
                            'flex w-full items-center justify-between gap-2 rounded-lg border px-3 py-2 text-left text-sm transition-colors',
                            active
                              ? 'border-primary/50 bg-accent'
                              : 'border-transparent hover:bg-muted',
                          )}
                        >
                          <span className="flex items-center gap-2">
                            <span className="font-medium tabular-nums">v{version.version}</span>
                            <SourceBadge source={version.source} />
                            {aliasesOf(version.id).map((alias) => (
                              <Badge key={alias} tone="primary">
                                {alias}
                              </Badge>
                            ))}
                          </span>
                          <span className="text-xs whitespace-nowrap text-muted-foreground">
                            {formatBytes(version.sizeBytes)}
                          </span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              )}
              {model.versions.totalCount > versionsPerPage ? (
                <Pager
                  page={pages.page}
                  pageSize={versionsPerPage}
                  total={model.versions.totalCount}
                  hasPrevious={pages.hasPrevious}
                  hasNext={model.versions.pageInfo.hasNextPage}
                  onPrevious={pages.previous}
                  onNext={() => pages.next(model.versions.pageInfo.endCursor)}
                  noun="versions"
                />
              ) : null}
            </CardBody>
          </Card>
          <MetricTrend
            versions={versions}
            selected={selected?.version ?? null}
            onSelect={selectVersion}
          />
          <AliasesCard
            modelId={model.id}
            modelName={model.name}
            aliases={model.aliases}
            versionNumbers={versions.map((v) => v.version)}
            canEdit={canEdit}
          />
        </div>
        <Card className="min-w-0">
          <CardBody className="pt-5">
            {selected ? (
              <VersionPanel
                key={selected.id}
                modelName={model.name}
                task={model.task}
                version={selected}
                aliases={aliasesOf(selected.id)}
                canEdit={canEdit}
                onDeleted={() => {
                  selectVersion(null);
                  refresh();
                }}
              />
            ) : (
              <EmptyState title="Nothing to show" description="Select a version on the left." />
            )}
          </CardBody>
        </Card>
      </div>
      <div className="mt-6">
        <EvaluationsCard
          modelId={model.id}
          versions={versions.map((v) => ({
            id: v.id,
            version: v.version,
            features: v.signature.features ?? null,
          }))}
          canEdit={canEdit}
        />
      </div>
      <div className="mt-6">
        <ModelTimeline modelId={model.id} modelName={model.name} />
      </div>
    </>
  );
}
