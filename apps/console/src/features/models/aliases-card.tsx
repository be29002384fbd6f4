'use client';
import Link from 'next/link';
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ArrowRight, Tag, Trash2 } from 'lucide-react';
import { DeleteModelAliasMutation, SetModelAliasMutation } from '@/graphql/registry';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Input, Label, Select } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';

interface AliasRow {
  alias: string;
  version: { id: string; version: number };
}

const aliasPattern = /^[a-z0-9][a-z0-9\-_.]{0,62}$/;

/** Aliases (movable names such as production and staging): move, add, remove. */
export function AliasesCard({
  modelId,
  modelName,
  aliases,
  versionNumbers,
  canEdit,
}: {
  modelId: string;
  modelName: string;
  aliases: AliasRow[];
  versionNumbers: number[];
  canEdit: boolean;
}) {
  const toast = useToast();
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const [, setAlias] = useMutation(SetModelAliasMutation);
  const [, deleteAlias] = useMutation(DeleteModelAliasMutation);

  const move = async (alias: string, version: number) => {
    setError(null);
    const result = await setAlias({ modelId, alias, version });
    if (result.error) setError(describeError(result.error));
    else toast.success(`${alias} now points to v${version}.`);
    return !result.error;
  };

  // Optimistic: a removed alias disappears at once, and comes back if the API refuses.
  const [removing, setRemoving] = useState<string[]>([]);
  const remove = async (alias: string) => {
    setError(null);
    setRemoving((all) => [...all, alias]);
    const result = await deleteAlias(
      { modelId, alias },
      { additionalTypenames: ['ModelAlias', 'Model'] },
    );
    setRemoving((all) => all.filter((a) => a !== alias));
    if (result.error) setError(describeError(result.error));
    else toast.success(`Alias ${alias} removed.`);
  };
  const shown = aliases.filter((a) => !removing.includes(a.alias));

  return (
    <Card>
      <CardHeader
        title="Aliases"
        description={
          <>
            <span className="font-mono">predict</span> with model {modelName} uses{' '}
            <span className="font-mono">production</span> when it is set, else the latest version.
          </>
        }
      />
      <CardBody className="grid gap-4">
        <ErrorMessage error={error} title="The alias was not changed" />
        {shown.length === 0 ? (
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <Tag aria-hidden className="size-4" />
            No aliases yet: point production or staging at a version.
          </p>
        ) : (
          <ul className="grid gap-2">
            {shown.map((row) => (
              <AliasItem
                key={row.alias}
                row={row}
                versionNumbers={versionNumbers}
                canEdit={canEdit}
                onMove={move}
                onRemove={remove}
              />
            ))}
          </ul>
        )}
        {canEdit && versionNumbers.length > 0 ? (
          <AddAliasForm
            versionNumbers={versionNumbers}
            taken={aliases.map((a) => a.alias)}
            onAdd={move}
          />
        ) : null}
      </CardBody>
    </Card>
  );
}

function AliasItem({
  row,
  versionNumbers,
  canEdit,
  onMove,
  onRemove,
}: {
  row: AliasRow;
  versionNumbers: number[];
  canEdit: boolean;
  onMove: (alias: string, version: number) => Promise<boolean>;
  onRemove: (alias: string) => Promise<void>;
}) {
  const id = useId();
  const [target, setTarget] = useState(row.version.version);
  const [busy, setBusy] = useState(false);
  const changed = target !== row.version.version;
  return (
    <li className="flex flex-wrap items-center gap-2 rounded-lg border border-border px-3 py-2">
      <Badge tone="primary" className="font-mono">
        {row.alias}
      </Badge>
      <ArrowRight aria-hidden className="size-3.5 text-muted-foreground" />
      {canEdit ? (
        <>
          <label htmlFor={id} className="sr-only">
            Version for {row.alias}
          </label>
          <Select
            id={id}
            className="h-8 w-24"
            value={target}
            onChange={(e) => setTarget(Number(e.target.value))}
          >
            {versionNumbers.map((n) => (
              <option key={n} value={n}>
                v{n}
              </option>
            ))}
          </Select>
          {changed ? (
            <Button
              size="sm"
              busy={busy}
              onClick={() => {
                setBusy(true);
                void onMove(row.alias, target).then((ok) => {
                  setBusy(false);
                  if (!ok) setTarget(row.version.version);
                });
              }}
            >
              Move {row.alias} to v{target}
            </Button>
          ) : null}
          <Button
            variant="ghost"
            size="icon"
            className="ml-auto size-8"
            aria-label={`Remove alias ${row.alias}`}
            onClick={() => void onRemove(row.alias)}
          >
            <Trash2 aria-hidden />
          </Button>
        </>
      ) : (
        <Link
          href={`?version=${row.version.version}`}
          className="text-sm tabular-nums hover:underline"
        >
          v{row.version.version}
        </Link>
      )}
    </li>
  );
}

function AddAliasForm({
  versionNumbers,
  taken,
  onAdd,
}: {
  versionNumbers: number[];
  taken: string[];
  onAdd: (alias: string, version: number) => Promise<boolean>;
}) {
  const id = useId();
  const suggestion = ['production', 'staging', 'candidate'].find((a) => !taken.includes(a)) ?? '';
  const [alias, setAliasName] = useState(suggestion);
  const [version, setVersion] = useState(versionNumbers[0] ?? 1);
  const [busy, setBusy] = useState(false);
  const problem = alias && !aliasPattern.test(alias) ? 'Lowercase letters, digits, - _ .' : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!alias || problem) return;
    setBusy(true);
    const ok = await onAdd(alias, version);
    setBusy(false);
    if (ok) setAliasName('');
  };

  return (
    <form
      onSubmit={(event) => void submit(event)}
      className="grid grid-cols-[1fr_6rem] items-end gap-2 border-t border-border pt-4"
    >
      <div className="grid gap-1.5">
        <Label htmlFor={`${id}-alias`}>Alias</Label>
        <Input
          id={`${id}-alias`}
          list={`${id}-suggestions`}
          value={alias}
          onChange={(e) => setAliasName(e.target.value.trim())}
          placeholder="production"
          aria-invalid={problem ? true : undefined}
          autoComplete="off"
        />
        <datalist id={`${id}-suggestions`}>
          {['production', 'staging', 'candidate'].map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor={`${id}-version`}>Version</Label>
        <Select
          id={`${id}-version`}
          value={version}
          onChange={(e) => setVersion(Number(e.target.value))}
        >
          {versionNumbers.map((n) => (
            <option key={n} value={n}>
              v{n}
            </option>
          ))}
        </Select>
      </div>
      <Button
        type="submit"
        variant="secondary"
        className="col-span-2 justify-center"
        busy={busy}
        disabled={!alias || Boolean(problem)}
      >
        {taken.includes(alias) ? 'Move alias' : 'Set alias'}
      </Button>
      {problem ? <p className="col-span-2 text-xs text-destructive">{problem}</p> : null}
    </form>
  );
}
