'use client';
import { useId, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/input';
import {
  auditFilterErrors,
  auditOutcomes,
  emptyAuditFilter,
  knownAuditActions,
  type AuditFilterValues,
} from './audit-filter';

/** The Audit page's filter form: action, outcome, actor, workspace (root key), from and to. */
export function AuditFilterForm({
  value,
  onApply,
  actors,
  workspaces,
}: {
  value: AuditFilterValues;
  onApply: (values: AuditFilterValues) => void;
  actors: readonly { id: string; name: string }[];
  /** The workspaces to choose from (root key), or null for none. */
  workspaces: readonly { id: string; name: string }[] | null;
}) {
  const id = useId();
  // The form edits its own copy; the page's filter changes on "Apply".
  const [draft, setDraft] = useState(value);
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const errors = auditFilterErrors(draft);
  const set = (field: keyof AuditFilterValues) => (event: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (Object.keys(errors).length === 0) onApply(draft);
  };

  return (
    <form
      onSubmit={submit}
      aria-label="Filter events"
      className="mb-4 flex flex-wrap items-end gap-3"
    >
      <Field label="Action" htmlFor={`${id}-action`} className="w-full sm:w-48">
        <Input
          id={`${id}-action`}
          value={draft.action}
          onChange={set('action')}
          placeholder="model.create"
          maxLength={100}
          list={`${id}-actions`}
          autoComplete="off"
        />
        <datalist id={`${id}-actions`}>
          {knownAuditActions.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
      </Field>
      <Field label="Outcome" htmlFor={`${id}-outcome`} className="w-full sm:w-40">
        <Select id={`${id}-outcome`} value={draft.outcome} onChange={set('outcome')}>
          <option value="">Any</option>
          {auditOutcomes.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome.replace(/_/g, ' ')}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Actor" htmlFor={`${id}-actor`} className="w-full sm:w-40">
        <Select id={`${id}-actor`} value={draft.actorId} onChange={set('actorId')}>
          <option value="">Any key</option>
          {actors.map((actor) => (
            <option key={actor.id} value={actor.id}>
              {actor.name}
            </option>
          ))}
          {draft.actorId && !actors.some((a) => a.id === draft.actorId) ? (
            <option value={draft.actorId}>{draft.actorId.slice(0, 8)}</option>
          ) : null}
        </Select>
      </Field>
      {workspaces ? (
        <Field label="Workspace" htmlFor={`${id}-workspace`} className="w-full sm:w-44">
          <Select id={`${id}-workspace`} value={draft.workspaceId} onChange={set('workspaceId')}>
            <option value="">All workspaces</option>
            {workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      <Field label="From" htmlFor={`${id}-from`} error={errors.from} className="w-full sm:w-60">
        <Input
          id={`${id}-from`}
          type="datetime-local"
          value={draft.from}
          onChange={set('from')}
          aria-invalid={Boolean(errors.from)}
        />
      </Field>
      <Field label="To" htmlFor={`${id}-to`} error={errors.to} className="w-full sm:w-60">
        <Input
          id={`${id}-to`}
          type="datetime-local"
          value={draft.to}
          onChange={set('to')}
          aria-invalid={Boolean(errors.to)}
        />
      </Field>
      <div className="flex items-end gap-2">
        <Button type="submit" disabled={Object.keys(errors).length > 0}>
          Apply
        </Button>
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            setDraft(emptyAuditFilter);
            onApply(emptyAuditFilter);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
