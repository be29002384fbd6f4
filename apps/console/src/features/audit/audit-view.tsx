'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { ScrollText, ShieldOff } from 'lucide-react';
import { ApiKeysQuery, WorkspacesQuery } from '@/graphql/registry';
import { AuditEventsQuery } from '@/graphql/sharing';
import { describeError } from '@/lib/api-error';
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
import {
  filterFromSearch,
  filterToSearch,
  toAuditFilter,
  type AuditFilterValues,
} from './audit-filter';
import { AuditFilterForm } from './audit-filter-form';
import { OutcomeBadge } from './outcome-badge';

const pageSize = 25;
/** How often the first page asks for new events. */
export const auditPollMs = 5000;

/** `/audit`: who did what, newest first, filterable, the first page refreshed every 5 s. ADMIN only. */
export function AuditView() {
  const viewer = useViewer();
  if (!can(viewer.role, 'readAudit')) {
    return (
      <>
        <PageHeader title="Audit log" />
        <Card>
          <EmptyState
            icon={<ShieldOff />}
            title="Only admins read the audit log"
            description={`You are signed in as ${viewer.role.toLowerCase()}. Ask an admin of ${viewer.workspace.name}.`}
          />
        </Card>
      </>
    );
  }
  return <AdminAudit />;
}

function AdminAudit() {
  const viewer = useViewer();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const values = useMemo(() => filterFromSearch(params), [params]);
  const filter = useMemo(() => toAuditFilter(values), [values]);
  const pages = useCursorPages();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: AuditEventsQuery,
    variables: { filter, first: pageSize, after: pages.after },
  });
  const [keys] = useQuery({ query: ApiKeysQuery });
  const [workspaces] = useQuery({ query: WorkspacesQuery, pause: !viewer.isRoot });
  const live = pages.page === 1;

  // New events land on the first page: poll it while it is shown and the tab is visible.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reexecute({ requestPolicy: 'network-only' });
    }, auditPollMs);
    return () => clearInterval(timer);
  }, [live, reexecute]);

  const apply = (next: AuditFilterValues) => {
    const search = filterToSearch(next);
    pages.reset();
    router.replace(`${pathname}${search.size ? `?${search.toString()}` : ''}`, { scroll: false });
  };

  const connection = data?.auditEvents;
  const events = connection?.edges.map((e) => e.node) ?? [];
  const actors = (keys.data?.apiKeys ?? []).map((k) => ({ id: k.id, name: k.name }));

  return (
    <>
      <PageHeader
        title="Audit log"
        description={
          viewer.isRoot
            ? 'Every action on every workspace, newest first: who, from where, and the outcome.'
            : `Every action in ${viewer.workspace.name}, newest first: who, from where, and the outcome.`
        }
        actions={
          <p className="flex items-center gap-2 text-xs text-muted-foreground" aria-live="polite">
            <span
              aria-hidden
              className={live ? 'size-2 rounded-full bg-success' : 'size-2 rounded-full bg-muted'}
            />
            {live ? `Refreshed every ${auditPollMs / 1000} s` : 'Paused on older pages'}
          </p>
        }
      />
      <Card>
        <CardBody className="pt-4">
          <AuditFilterForm
            value={values}
            onApply={apply}
            actors={actors}
            workspaces={viewer.isRoot ? (workspaces.data?.workspaces ?? []) : null}
          />
          <ErrorMessage error={describeError(error)} title="Cannot list events" className="mb-4" />
          {fetching && !data ? (
            <LoadingRows rows={6} label="Loading events" />
          ) : events.length === 0 ? (
            <EmptyState
              icon={<ScrollText />}
              title={filter ? 'No events match this filter' : 'No events yet'}
              description="Every change made through the API is recorded here, and so are refused attempts."
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>When</Th>
                  <Th>Action</Th>
                  <Th>Outcome</Th>
                  <Th>Actor</Th>
                  <Th>Target</Th>
                  {viewer.isRoot ? <Th>Workspace</Th> : null}
                  <Th>Details</Th>
                </tr>
              </THead>
              <TBody>
                {events.map((event) => (
                  <Tr key={event.id} data-action={event.action} data-outcome={event.outcome}>
                    <Td className="text-muted-foreground">
                      <RelativeTime iso={event.at} />
                    </Td>
                    <Td className="font-mono text-xs whitespace-nowrap">{event.action}</Td>
                    <Td>
                      <OutcomeBadge outcome={event.outcome} />
                    </Td>
                    <Td className="whitespace-nowrap">
                      {event.actor ? (
                        <span className="flex items-center gap-1.5">
                          {event.actor.name}
                          <Badge tone={event.actor.role === 'VIEWER' ? 'neutral' : 'primary'}>
                            {event.actor.role}
                          </Badge>
                        </span>
                      ) : (
                        <span className="text-muted-foreground">platform</span>
                      )}
                      {event.sourceAddress ? (
                        <span className="block font-mono text-xs text-muted-foreground">
                          {event.sourceAddress}
                        </span>
                      ) : null}
                    </Td>
                    <Td className="text-xs whitespace-nowrap">
                      {event.targetType ? (
                        <>
                          {event.targetType}
                          {event.targetId ? (
                            <span
                              className="ml-1 font-mono text-muted-foreground"
                              title={event.targetId}
                            >
                              {event.targetId.slice(0, 8)}
                            </span>
                          ) : null}
                        </>
                      ) : (
                        <span className="text-muted-foreground">—</span>
                      )}
                    </Td>
                    {viewer.isRoot ? (
                      <Td className="whitespace-nowrap">{event.workspace.name}</Td>
                    ) : null}
                    <Td className="max-w-48">
                      <EventDetails details={event.details} />
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
            noun="events"
          />
        </CardBody>
      </Card>
    </>
  );
}

function EventDetails({ details }: { details: unknown }) {
  if (details === null || details === undefined)
    return <span className="text-muted-foreground">—</span>;
  const text = JSON.stringify(details);
  if (text === '{}') return <span className="text-muted-foreground">—</span>;
  return (
    <code className="block truncate font-mono text-xs text-muted-foreground" title={text}>
      {text}
    </code>
  );
}
