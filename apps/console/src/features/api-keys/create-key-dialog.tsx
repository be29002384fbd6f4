'use client';
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { KeyRound, Plus, ShieldAlert } from 'lucide-react';
import type { Role } from '@/gql/graphql';
import { CreateApiKeyMutation } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { Field, Input, Select } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';

const roles: { value: Role; label: string }[] = [
  { value: 'VIEWER', label: 'Viewer: read and predict' },
  { value: 'EDITOR', label: 'Editor: also create, train and deploy' },
  { value: 'ADMIN', label: 'Admin: also manage keys' },
];

/** "New key": name, role (and workspace for the root key); the secret is shown once. */
export function CreateKeyDialog({
  workspaces,
  currentWorkspaceId,
}: {
  /** Offered to the root key only; null for everyone else. */
  workspaces: { id: string; name: string }[] | null;
  currentWorkspaceId: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [workspaceId, setWorkspaceId] = useState(currentWorkspaceId);
  const [secret, setSecret] = useState<string | null>(null);
  const [{ fetching, error }, createKey] = useMutation(CreateApiKeyMutation);

  const reset = () => {
    setName('');
    setRole('VIEWER');
    setWorkspaceId(currentWorkspaceId);
    setSecret(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    const result = await createKey({
      name: name.trim(),
      role,
      workspaceId: workspaces && workspaceId !== currentWorkspaceId ? workspaceId : null,
    });
    if (result.data) setSecret(result.data.createApiKey.secret);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
      title={secret ? 'Copy the new key now' : 'New API key'}
      description={
        secret
          ? 'This is the only time the secret is shown: maas keeps only its hash.'
          : 'Give scripts and people their own key, with the least role they need.'
      }
      trigger={
        <Button>
          <Plus aria-hidden />
          New key
        </Button>
      }
    >
      {secret ? (
        <div className="grid gap-4">
          <div className="flex items-start gap-2 rounded-lg border border-warning/50 bg-warning/10 px-3 py-2 text-sm">
            <ShieldAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            Store it in a secret manager. Anyone holding it acts as this key.
          </div>
          <div className="grid gap-1.5">
            <label htmlFor={`${id}-secret`} className="text-sm font-medium">
              Secret
            </label>
            <div className="flex gap-2">
              <Input
                id={`${id}-secret`}
                readOnly
                value={secret}
                className="font-mono text-xs"
                onFocus={(e) => e.target.select()}
                data-testid="new-key-secret"
              />
              <CopyButton value={secret} />
            </div>
          </div>
          <div className="flex justify-end">
            <DialogClose>
              <Button>Done</Button>
            </DialogClose>
          </div>
        </div>
      ) : (
        <form className="grid gap-4" onSubmit={(event) => void submit(event)}>
          <Field label="Name" htmlFor={`${id}-name`} hint="Who or what uses it, e.g. ci-deploy">
            <Input
              id={`${id}-name`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="off"
              autoFocus
              required
            />
          </Field>
          <Field label="Role" htmlFor={`${id}-role`}>
            <Select
              id={`${id}-role`}
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              {roles.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </Select>
          </Field>
          {workspaces ? (
            <Field
              label="Workspace"
              htmlFor={`${id}-workspace`}
              hint="The root key may issue keys in any workspace"
            >
              <Select
                id={`${id}-workspace`}
                value={workspaceId}
                onChange={(e) => setWorkspaceId(e.target.value)}
              >
                {workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          <ErrorMessage error={describeError(error)} title="The key was not created" />
          <div className="flex justify-end gap-2">
            <DialogClose>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" busy={fetching} disabled={!name.trim()}>
              <KeyRound aria-hidden />
              Create key
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
