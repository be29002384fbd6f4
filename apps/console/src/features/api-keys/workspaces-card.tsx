'use client';
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { CreateWorkspaceMutation, WorkspacesQuery } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { RelativeTime } from '@/components/time';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Input, Label } from '@/components/ui/input';
import { ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';

/** Root key only: the workspaces, and a form to add one. */
export function WorkspacesCard() {
  const id = useId();
  const toast = useToast();
  const [{ data, fetching, error }] = useQuery({ query: WorkspacesQuery });
  const [created, createWorkspace] = useMutation(CreateWorkspaceMutation);
  const [name, setName] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createWorkspace(
      { name: name.trim() },
      { additionalTypenames: ['Workspace'] },
    );
    if (result.data) {
      toast.success(`Workspace ${result.data.createWorkspace.name} created.`);
      setName('');
    }
  };

  return (
    <Card>
      <CardHeader
        title="Workspaces"
        description="Tenants: each sees only its own models, data and keys. Only the root key manages them."
      />
      <CardBody className="grid gap-4">
        <ErrorMessage error={describeError(error)} title="Cannot list workspaces" />
        {fetching && !data ? (
          <LoadingRows rows={2} />
        ) : (
          <Table>
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Created</Th>
              </tr>
            </THead>
            <TBody>
              {data?.workspaces.map((w) => (
                <Tr key={w.id}>
                  <Td className="font-medium">{w.name}</Td>
                  <Td className="text-muted-foreground">
                    <RelativeTime iso={w.createdAt} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
        <form onSubmit={(event) => void submit(event)} className="flex flex-wrap items-end gap-2">
          <div className="grid flex-1 gap-1.5">
            <Label htmlFor={`${id}-name`}>New workspace</Label>
            <Input
              id={`${id}-name`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="team-risk"
            />
          </div>
          <Button type="submit" variant="secondary" busy={created.fetching} disabled={!name.trim()}>
            Create workspace
          </Button>
        </form>
        <ErrorMessage error={describeError(created.error)} title="Not created" />
      </CardBody>
    </Card>
  );
}
