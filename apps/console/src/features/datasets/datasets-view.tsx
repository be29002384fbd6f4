'use client';
import Link from 'next/link';
import { useQuery } from 'urql';
import { Database } from 'lucide-react';
import { DatasetsQuery } from '@/graphql/training';
import { describeError } from '@/lib/api-error';
import { formatBytes } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { useCursorPages } from '@/lib/use-cursor-pages';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { UploadDatasetDialog } from './upload-dataset-dialog';

const pageSize = 20;

/** `/datasets`: the workspace's datasets, newest first, and CSV upload. */
export function DatasetsView() {
  const viewer = useViewer();
  const pages = useCursorPages();
  const [{ data, fetching, error }] = useQuery({
    query: DatasetsQuery,
    variables: { first: pageSize, after: pages.after },
  });
  const connection = data?.datasets;
  const datasets = connection?.edges.map((e) => e.node) ?? [];
  return (
    <>
      <PageHeader
        title="Datasets"
        description="Tables to train on. Each column's type and statistics are computed on upload."
        actions={can(viewer.role, 'edit') ? <UploadDatasetDialog /> : null}
      />
      <Card>
        <CardBody className="pt-4">
          <ErrorMessage
            error={describeError(error)}
            title="Cannot list datasets"
            className="mb-4"
          />
          {fetching && !data ? (
            <LoadingRows rows={5} label="Loading datasets" />
          ) : datasets.length === 0 ? (
            <EmptyState
              icon={<Database />}
              title="No datasets yet"
              description={
                can(viewer.role, 'edit')
                  ? 'Upload a CSV with a header row.'
                  : 'Datasets appear once an editor uploads one.'
              }
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>Name</Th>
                  <Th className="text-right">Rows</Th>
                  <Th>Columns</Th>
                  <Th className="text-right">Size</Th>
                  <Th>Created</Th>
                </tr>
              </THead>
              <TBody>
                {datasets.map((d) => (
                  <Tr key={d.id}>
                    <Td>
                      <Link
                        href={`/datasets/${d.id}`}
                        className="font-medium hover:text-primary hover:underline"
                      >
                        {d.name}
                      </Link>
                    </Td>
                    <Td className="text-right tabular-nums">{d.rowCount.toLocaleString('en')}</Td>
                    <Td>
                      <div className="flex max-w-md flex-wrap gap-1">
                        {d.columns.slice(0, 6).map((c) => (
                          <Badge key={c.name} tone="outline" className="font-mono">
                            {c.name}
                          </Badge>
                        ))}
                        {d.columns.length > 6 ? (
                          <Badge tone="neutral">+{d.columns.length - 6}</Badge>
                        ) : null}
                      </div>
                    </Td>
                    <Td className="text-right tabular-nums">{formatBytes(d.sizeBytes)}</Td>
                    <Td className="text-muted-foreground">
                      <RelativeTime iso={d.createdAt} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
          <Pager
            page={pages.page}
            pageSize={pageSize}
            total={connection?.totalCount}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(connection?.pageInfo.hasNextPage)}
            onPrevious={pages.previous}
            onNext={() => pages.next(connection?.pageInfo.endCursor)}
            noun="datasets"
          />
        </CardBody>
      </Card>
    </>
  );
}
