'use client';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useId, useState } from 'react';
import { useQuery } from 'urql';
import { Boxes, Search } from 'lucide-react';
import type { ModelTask } from '@/gql/graphql';
import { ModelsQuery } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { humanizeEnum } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { useCursorPages } from '@/lib/use-cursor-pages';
import { useDebounced } from '@/lib/use-debounced';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody } from '@/components/ui/card';
import { Input, Select } from '@/components/ui/input';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { CreateModelDialog } from './create-model-dialog';
import { modelTasks } from './model-details-fields';
import { SourceBadge } from './source-badge';
import { tagLabels } from './tags';

const pageSize = 20;

/** `/models`: the workspace's models, searchable by name, filterable by task, paginated. */
export function ModelsView() {
  const viewer = useViewer();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const id = useId();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const task = (params.get('task') ?? '') as ModelTask | '';
  const debouncedSearch = useDebounced(search.trim(), 250);
  const pages = useCursorPages();
  const { reset } = pages;

  // Keep the search in the URL (shareable, survives reload) and start again at page 1.
  useEffect(() => {
    const next = new URLSearchParams(params.toString());
    if (debouncedSearch) next.set('q', debouncedSearch);
    else next.delete('q');
    if (next.toString() !== params.toString()) {
      router.replace(`${pathname}${next.size ? `?${next.toString()}` : ''}`, { scroll: false });
    }
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the search settles
  }, [debouncedSearch]);

  const setTask = (value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set('task', value);
    else next.delete('task');
    reset();
    router.replace(`${pathname}${next.size ? `?${next.toString()}` : ''}`, { scroll: false });
  };

  const filter =
    debouncedSearch || task ? { search: debouncedSearch || null, task: task || null } : null;
  const [{ data, fetching, error }] = useQuery({
    query: ModelsQuery,
    variables: { first: pageSize, after: pages.after, filter },
  });
  const connection = data?.models;
  const models = connection?.edges.map((edge) => edge.node) ?? [];
  const filtered = Boolean(filter);

  return (
    <>
      <PageHeader
        title="Models"
        description="Every model of the workspace, newest first."
        actions={can(viewer.role, 'edit') ? <CreateModelDialog /> : null}
      />
      <Card>
        <CardBody className="pt-5">
          <div className="mb-4 flex flex-col gap-3 sm:flex-row">
            <div className="relative flex-1">
              <label htmlFor={`${id}-search`} className="sr-only">
                Search models by name
              </label>
              <Search
                aria-hidden
                className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground"
              />
              <Input
                id={`${id}-search`}
                type="search"
                placeholder="Search by name…"
                className="pl-9"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
            </div>
            <label htmlFor={`${id}-task`} className="sr-only">
              Task
            </label>
            <Select
              id={`${id}-task`}
              className="sm:w-56"
              value={task}
              onChange={(e) => setTask(e.target.value)}
            >
              <option value="">All tasks</option>
              {modelTasks.map((t) => (
                <option key={t} value={t}>
                  {humanizeEnum(t)}
                </option>
              ))}
            </Select>
          </div>
          <ErrorMessage error={describeError(error)} title="Cannot list models" className="mb-4" />
          {fetching && !data ? (
            <LoadingRows rows={6} label="Loading models" />
          ) : models.length === 0 ? (
            <EmptyState
              icon={<Boxes />}
              title={filtered ? 'No model matches' : 'No models yet'}
              description={
                filtered
                  ? 'Try another name or task.'
                  : can(viewer.role, 'edit')
                    ? 'Create a model, then upload an ONNX version or train one.'
                    : 'Models appear here once an editor creates them.'
              }
            />
          ) : (
            <Table aria-busy={fetching}>
              <THead>
                <tr>
                  <Th>Name</Th>
                  <Th>Task</Th>
                  <Th>Latest</Th>
                  <Th>Aliases</Th>
                  <Th>Tags</Th>
                  <Th>Updated</Th>
                </tr>
              </THead>
              <TBody>
                {models.map((model) => (
                  <Tr key={model.id}>
                    <Td className="max-w-xs">
                      <Link
                        href={`/models/${encodeURIComponent(model.name)}`}
                        className="font-medium text-foreground hover:text-primary hover:underline"
                      >
                        {model.name}
                      </Link>
                      {model.description ? (
                        <p
                          className="truncate text-xs text-muted-foreground"
                          title={model.description}
                        >
                          {model.description}
                        </p>
                      ) : null}
                    </Td>
                    <Td className="whitespace-nowrap text-muted-foreground">
                      {humanizeEnum(model.task)}
                    </Td>
                    <Td>
                      {model.latestVersion ? (
                        <span className="flex items-center gap-2 whitespace-nowrap">
                          <span className="tabular-nums">v{model.latestVersion.version}</span>
                          <SourceBadge source={model.latestVersion.source} />
                        </span>
                      ) : (
                        <span className="text-muted-foreground">no versions</span>
                      )}
                    </Td>
                    <Td>
                      <div className="flex flex-wrap gap-1">
                        {model.aliases.map((a) => (
                          <Badge key={a.alias} tone="primary">
                            {a.alias} → v{a.version.version}
                          </Badge>
                        ))}
                      </div>
                    </Td>
                    <Td>
                      <div className="flex flex-wrap gap-1">
                        {tagLabels(model.tags).map((label) => (
                          <Badge key={label} tone="outline">
                            {label}
                          </Badge>
                        ))}
                      </div>
                    </Td>
                    <Td className="text-muted-foreground">
                      <RelativeTime iso={model.updatedAt} />
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
            noun="models"
          />
        </CardBody>
      </Card>
    </>
  );
}
