'use client';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { KeyRound, ShieldOff } from 'lucide-react';
import { ApiKeysQuery, RevokeApiKeyMutation, WorkspacesQuery } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { can } from '@/lib/roles';
import { useSession, useViewer } from '@/lib/session';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import { CreateKeyDialog } from './create-key-dialog';
import { WorkspacesCard } from './workspaces-card';

/** `/settings/api-keys`: the workspace's keys; create (secret shown once) and revoke. ADMIN only. */
export function ApiKeysView() {
  const viewer = useViewer();
  if (!can(viewer.role, 'manageKeys')) {
    return (
      <>
        <PageHeader title="API keys" />
        <Card>
          <EmptyState
            icon={<ShieldOff />}
            title="Only admins manage keys"
            description={`You are signed in as ${viewer.role.toLowerCase()}. Ask an admin of ${viewer.workspace.name} for a key.`}
          />
        </Card>
      </>
    );
  }
  return <AdminApiKeys />;
}

function AdminApiKeys() {
  const viewer = useViewer();
  const { signOut } = useSession();
  const toast = useToast();
  const [{ data, fetching, error }] = useQuery({ query: ApiKeysQuery });
  const [workspaces] = useQuery({ query: WorkspacesQuery, pause: !viewer.isRoot });
  const [, revokeKey] = useMutation(RevokeApiKeyMutation);
  // Optimistic: a key shows as revoked as soon as the admin confirms, until the API answers.
  const [revoking, setRevoking] = useState<Record<string, string>>({});
  const keys = (data?.apiKeys ?? []).map((key) =>
    !key.revokedAt && revoking[key.id] ? { ...key, revokedAt: revoking[key.id] ?? null } : key,
  );

  return (
    <>
      <PageHeader
        title="API keys"
        description={`Keys of workspace ${viewer.workspace.name}. Secrets are shown once and stored only as a hash.`}
        actions={
          <CreateKeyDialog
            workspaces={viewer.isRoot ? (workspaces.data?.workspaces ?? [viewer.workspace]) : null}
            currentWorkspaceId={viewer.workspace.id}
          />
        }
      />
      <Card className="mb-6">
        <CardBody className="pt-4">
          <ErrorMessage error={describeError(error)} title="Cannot list keys" className="mb-4" />
          {fetching && !data ? (
            <LoadingRows rows={3} label="Loading keys" />
          ) : keys.length === 0 ? (
            <EmptyState icon={<KeyRound />} title="No keys" />
          ) : (
            <Table>
              <THead>
                <tr>
                  <Th>Name</Th>
                  <Th>Role</Th>
                  <Th>Created</Th>
                  <Th>Last used</Th>
                  <Th>Status</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </THead>
              <TBody>
                {keys.map((key) => {
                  const own = key.id === viewer.apiKey.id;
                  return (
                    <Tr key={key.id} className={key.revokedAt ? 'opacity-60' : undefined}>
                      <Td className="font-medium">
                        {key.name}
                        {own ? (
                          <span className="ml-2 text-xs text-muted-foreground">(this session)</span>
                        ) : null}
                      </Td>
                      <Td>
                        <Badge tone={key.role === 'VIEWER' ? 'neutral' : 'primary'}>
                          {key.role}
                        </Badge>
                      </Td>
                      <Td className="text-muted-foreground">
                        <RelativeTime iso={key.createdAt} />
                      </Td>
                      <Td className="text-muted-foreground">
                        {key.lastUsedAt ? <RelativeTime iso={key.lastUsedAt} /> : 'never'}
                      </Td>
                      <Td>
                        {key.revokedAt ? (
                          <Badge tone="danger">
                            revoked <RelativeTime iso={key.revokedAt} />
                          </Badge>
                        ) : (
                          <Badge tone="success">active</Badge>
                        )}
                      </Td>
                      <Td className="text-right">
                        {key.revokedAt ? null : (
                          <ConfirmDialog
                            title={`Revoke ${key.name}?`}
                            description={
                              own
                                ? 'This is the key this session uses: you will be signed out at once.'
                                : 'Every request with this key is refused from now on, on every API replica.'
                            }
                            confirmLabel="Revoke key"
                            onConfirm={async () => {
                              setRevoking((all) => ({
                                ...all,
                                [key.id]: new Date().toISOString(),
                              }));
                              const result = await revokeKey({ id: key.id });
                              if (result.error) {
                                setRevoking(({ [key.id]: _undone, ...rest }) => rest);
                                return describeError(result.error);
                              }
                              toast.success(`Key ${key.name} revoked.`);
                              if (own) signOut();
                              return null;
                            }}
                            trigger={
                              <Button variant="outline" size="sm" aria-label={`Revoke ${key.name}`}>
                                Revoke
                              </Button>
                            }
                          />
                        )}
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </CardBody>
      </Card>
      {viewer.isRoot ? <WorkspacesCard /> : null}
    </>
  );
}
