'use client';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useMutation, useQuery } from 'urql';
import { Database, Play, Trash2 } from 'lucide-react';
import { DatasetDetailQuery, DeleteDatasetMutation } from '@/graphql/training';
import { describeError } from '@/lib/api-error';
import { formatBytes, formatMetric } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import { CategoryBars, HistogramSparkline } from './column-chart';
import { categoryCounts, histogramBins } from './histogram-bins';

// The API returns at most 100 preview rows: the histograms are of this sample.
const sampleRows = 100;
const previewShown = 20;

/** `/datasets/{id}`: column statistics with a histogram each, and a preview of the rows. */
export function DatasetDetailView() {
  const { id } = useParams<{ id: string }>();
  const viewer = useViewer();
  const router = useRouter();
  const toast = useToast();
  const [{ data, fetching, error }] = useQuery({
    query: DatasetDetailQuery,
    variables: { id, previewRows: sampleRows },
  });
  const [, deleteDataset] = useMutation(DeleteDatasetMutation);
  const dataset = data?.dataset;

  if (!dataset) {
    return (
      <>
        <PageHeader title="Dataset" breadcrumbs={[{ href: '/datasets', label: 'Datasets' }]} />
        <ErrorMessage
          error={describeError(error)}
          title="Cannot load the dataset"
          className="mb-4"
        />
        {fetching ? (
          <LoadingRows rows={6} label="Loading the dataset" />
        ) : !error ? (
          <Card>
            <EmptyState
              icon={<Database />}
              title="No such dataset"
              description="It may belong to another workspace."
            />
          </Card>
        ) : null}
      </>
    );
  }

  const rows = dataset.preview.filter(
    (row): row is Record<string, unknown> =>
      typeof row === 'object' && row !== null && !Array.isArray(row),
  );
  const columnValues = (name: string) => rows.map((row) => row[name]);
  const canEdit = can(viewer.role, 'edit');

  return (
    <>
      <PageHeader
        breadcrumbs={[{ href: '/datasets', label: 'Datasets' }]}
        title={
          <span className="flex items-center gap-3">
            {dataset.name}
            {dataset.deletedAt ? <Badge tone="danger">deleted</Badge> : null}
          </span>
        }
        description={
          <>
            {dataset.rowCount.toLocaleString('en')} rows · {dataset.columns.length} columns ·{' '}
            {formatBytes(dataset.sizeBytes)} · uploaded <RelativeTime iso={dataset.createdAt} />
          </>
        }
        actions={
          canEdit && !dataset.deletedAt ? (
            <>
              <Link
                href={`/jobs/new?dataset=${dataset.id}`}
                className="inline-flex h-9 items-center gap-2 rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:bg-primary/90"
              >
                <Play aria-hidden className="size-4" />
                Train on it
              </Link>
              <ConfirmDialog
                title={`Delete dataset ${dataset.name}?`}
                description="Jobs that used it keep their lineage (it is soft-deleted). The API refuses while a queued or running job uses it."
                confirmLabel="Delete dataset"
                onConfirm={async () => {
                  const result = await deleteDataset(
                    { id: dataset.id },
                    { additionalTypenames: ['Dataset'] },
                  );
                  if (result.error) return describeError(result.error);
                  toast.success(`Dataset ${dataset.name} deleted.`);
                  router.push('/datasets');
                  return null;
                }}
                trigger={
                  <Button variant="ghost">
                    <Trash2 aria-hidden />
                    Delete
                  </Button>
                }
              />
            </>
          ) : null
        }
      />

      <Card className="mb-6">
        <CardHeader
          title="Columns"
          description={`Statistics over all ${dataset.rowCount.toLocaleString('en')} rows; distributions of the first ${Math.min(rows.length, sampleRows)} rows`}
        />
        <CardBody>
          <Table>
            <THead>
              <tr>
                <Th>Column</Th>
                <Th>Type</Th>
                <Th className="text-right">Nulls</Th>
                <Th className="text-right">Min</Th>
                <Th className="text-right">Mean</Th>
                <Th className="text-right">Max</Th>
                <Th className="text-right">Distinct</Th>
                <Th>Distribution</Th>
              </tr>
            </THead>
            <TBody>
              {dataset.columns.map((column) => {
                const numeric =
                  column.type === 'numeric' && column.min !== null && column.max !== null;
                return (
                  <Tr key={column.name}>
                    <Td className="font-mono text-xs font-medium">{column.name}</Td>
                    <Td>
                      <Badge tone={column.type === 'numeric' ? 'primary' : 'neutral'}>
                        {column.type}
                      </Badge>
                    </Td>
                    <Td className="text-right tabular-nums">
                      <span className={column.nullCount ? 'text-warning' : 'text-muted-foreground'}>
                        {column.nullCount.toLocaleString('en')}
                      </span>
                    </Td>
                    <Td className="text-right font-mono text-xs tabular-nums">
                      {column.min !== null ? formatMetric(column.min) : '—'}
                    </Td>
                    <Td className="text-right font-mono text-xs tabular-nums">
                      {column.mean !== null ? formatMetric(column.mean) : '—'}
                    </Td>
                    <Td className="text-right font-mono text-xs tabular-nums">
                      {column.max !== null ? formatMetric(column.max) : '—'}
                    </Td>
                    <Td className="text-right tabular-nums">
                      {column.distinct?.toLocaleString('en') ?? '—'}
                    </Td>
                    <Td>
                      {numeric ? (
                        <HistogramSparkline
                          column={column.name}
                          bins={histogramBins(
                            columnValues(column.name),
                            column.min ?? 0,
                            column.max ?? 0,
                          )}
                        />
                      ) : (
                        <CategoryBars counts={categoryCounts(columnValues(column.name))} />
                      )}
                    </Td>
                  </Tr>
                );
              })}
            </TBody>
          </Table>
        </CardBody>
      </Card>

      <Card>
        <CardHeader
          title="Preview"
          description={`The first ${Math.min(previewShown, rows.length)} rows`}
        />
        <CardBody>
          {rows.length === 0 ? (
            <EmptyState title="No rows to preview" />
          ) : (
            <Table className="font-mono text-xs">
              <THead>
                <tr>
                  <Th className="w-12 text-right">#</Th>
                  {dataset.columns.map((c) => (
                    <Th key={c.name}>{c.name}</Th>
                  ))}
                </tr>
              </THead>
              <TBody>
                {rows.slice(0, previewShown).map((row, i) => (
                  <Tr key={i}>
                    <Td className="text-right text-muted-foreground">{i + 1}</Td>
                    {dataset.columns.map((c) => (
                      <Td key={c.name} className="whitespace-nowrap">
                        {row[c.name] === null || row[c.name] === undefined ? (
                          <span className="text-muted-foreground">null</span>
                        ) : (
                          formatMetric(row[c.name])
                        )}
                      </Td>
                    ))}
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
