'use client';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import Link from 'next/link';
import { Download, GitBranch, RefreshCw, Trash2 } from 'lucide-react';
import type { VersionFieldsFragment } from '@/gql/graphql';
import { VersionBundleQuery } from '@/graphql/language-models';
import { DeleteModelVersionMutation } from '@/graphql/registry';
import { useApiUrl } from '@/lib/api-config';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { downloadWithKey } from '@/lib/download';
import { formatBytes, formatDateTime, formatMetric, jsonEntries } from '@/lib/format';
import { useSession } from '@/lib/session';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { BundleDetails } from './bundle-details';
import { FeatureImportanceBars } from './feature-importance';
import { SignatureTable } from './signature-table';
import { SourceBadge } from './source-badge';
import { TrainingLineage } from './training-lineage';

/** One version in full: metrics, lineage, a bundle's config and files, signature, artifact, delete. */
export function VersionPanel({
  modelName,
  task,
  version,
  aliases,
  canEdit,
  onDeleted,
}: {
  modelName: string;
  task: string;
  version: VersionFieldsFragment;
  aliases: string[];
  canEdit: boolean;
  onDeleted: () => void;
}) {
  const apiUrl = useApiUrl();
  const { apiKey } = useSession();
  const toast = useToast();
  const [downloadError, setDownloadError] = useState<ApiErrorInfo | null>(null);
  const [downloading, setDownloading] = useState(false);
  const [, deleteVersion] = useMutation(DeleteModelVersionMutation);
  const metrics = jsonEntries(version.metrics);
  const hyperparameters = jsonEntries(version.hyperparameters);
  const [bundleAnswer] = useQuery({ query: VersionBundleQuery, variables: { id: version.id } });
  const bundle = bundleAnswer.data?.modelVersion;
  // A bundle lists its files; a single ONNX file lists none.
  const isBundle = Boolean(bundle?.files.length);

  const download = async () => {
    if (!apiKey) return;
    setDownloading(true);
    setDownloadError(
      await downloadWithKey(
        `${apiUrl}/v1/models/${encodeURIComponent(modelName)}/versions/${version.version}/artifact`,
        apiKey,
        `${modelName}-v${version.version}.${isBundle ? 'tar' : 'onnx'}`,
      ),
    );
    setDownloading(false);
  };

  return (
    <section aria-labelledby={`version-${version.id}`} className="grid gap-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3
            id={`version-${version.id}`}
            className="flex flex-wrap items-center gap-2 text-lg font-semibold"
          >
            Version {version.version}
            <SourceBadge source={version.source} />
            {aliases.map((alias) => (
              <Badge key={alias} tone="primary">
                {alias}
              </Badge>
            ))}
          </h3>
          <p className="mt-1 text-sm text-muted-foreground">
            {formatBytes(version.sizeBytes)} · created <RelativeTime iso={version.createdAt} /> (
            {formatDateTime(version.createdAt)})
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" size="sm" onClick={() => void download()} busy={downloading}>
            <Download aria-hidden />
            {isBundle ? 'Bundle (tar)' : 'ONNX'}
          </Button>
          {canEdit && version.source === 'TRAINING' ? (
            <Link
              href={`/jobs/new?model=${encodeURIComponent(modelName)}&warmStart=${version.id}`}
              className="inline-flex h-8 items-center gap-1.5 rounded-md border border-input bg-card px-3 text-xs font-medium hover:bg-muted"
            >
              <RefreshCw aria-hidden className="size-4" />
              Update on new data
            </Link>
          ) : null}
          {canEdit ? (
            <ConfirmDialog
              title={`Delete version ${version.version}?`}
              description="The version is removed for good; its number is never reused. The API refuses while an alias names it or a deployment routes to it."
              confirmLabel="Delete version"
              onConfirm={async () => {
                const result = await deleteVersion(
                  { id: version.id },
                  { additionalTypenames: ['ModelVersion', 'Model'] },
                );
                if (result.error) return describeError(result.error);
                toast.success(`Version ${version.version} deleted.`);
                onDeleted();
                return null;
              }}
              trigger={
                <Button
                  variant="outline"
                  size="sm"
                  aria-label={`Delete version ${version.version}`}
                >
                  <Trash2 aria-hidden />
                  Delete
                </Button>
              }
            />
          ) : null}
        </div>
      </div>
      <ErrorMessage error={downloadError} title="Download failed" />

      {metrics.length ? (
        <div>
          <h4 className="mb-2 text-sm font-medium">Metrics</h4>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {metrics.map(([name, value]) => (
              <div key={name} className="rounded-lg border border-border px-3 py-2">
                <dt className="text-xs text-muted-foreground">{name}</dt>
                <dd className="font-mono text-base font-semibold tabular-nums">
                  {formatMetric(value)}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}

      {version.featureImportance?.length ? (
        <div>
          <h4 className="mb-1 text-sm font-medium">Feature importance</h4>
          <p className="mb-2 text-xs text-muted-foreground">
            How much the loss grows when a feature&apos;s column is shuffled (permutation
            importance)
            {version.source === 'TRAINING'
              ? ', on the validation split'
              : ', on the rows of the latest evaluation'}
            .
          </p>
          <FeatureImportanceBars importance={version.featureImportance} />
        </div>
      ) : null}

      <div>
        <h4 className="mb-2 text-sm font-medium">Lineage</h4>
        <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-muted-foreground">Source</dt>
          <dd>
            {version.source === 'TRAINING'
              ? 'Trained by maas'
              : isBundle
                ? 'Uploaded bundle'
                : 'Uploaded ONNX file'}
          </dd>
          {version.source === 'TRAINING' ? <TrainingLineage versionId={version.id} /> : null}
          <dt className="text-muted-foreground">Parent version</dt>
          <dd>
            {version.parentVersion ? (
              <Link
                href={`?version=${version.parentVersion.version}`}
                className="inline-flex items-center gap-1 text-primary hover:underline"
              >
                <GitBranch aria-hidden className="size-3.5" />v{version.parentVersion.version}{' '}
                (model update)
              </Link>
            ) : (
              <span className="text-muted-foreground">none</span>
            )}
          </dd>
          <dt className="text-muted-foreground">{isBundle ? 'Graph SHA-256' : 'SHA-256'}</dt>
          <dd className="flex min-w-0 items-center gap-2">
            <code className="truncate font-mono text-xs" title={version.sha256}>
              {version.sha256}
            </code>
            <CopyButton value={version.sha256} label="Copy" />
          </dd>
        </dl>
      </div>

      <ErrorMessage error={describeError(bundleAnswer.error)} title="Cannot read the bundle" />
      {bundle && (isBundle || bundle.languageModel) ? (
        <BundleDetails
          modelName={modelName}
          version={version.version}
          task={task}
          languageModel={bundle.languageModel}
          files={bundle.files}
        />
      ) : null}

      {hyperparameters.length ? (
        <div>
          <h4 className="mb-2 text-sm font-medium">Hyperparameters</h4>
          <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
            {hyperparameters.map(([name, value]) => (
              <div
                key={name}
                className="flex min-w-0 items-baseline justify-between gap-2 border-b border-border py-1"
              >
                <dt className="min-w-0 truncate text-muted-foreground" title={name}>
                  {name}
                </dt>
                <dd className="shrink-0 font-mono text-xs">{formatMetric(value)}</dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}

      <div>
        <h4 className="mb-2 text-sm font-medium">Signature</h4>
        <SignatureTable signature={version.signature} />
      </div>
    </section>
  );
}
