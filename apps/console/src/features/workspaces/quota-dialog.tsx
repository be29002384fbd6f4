'use client';
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { QuotaFieldsFragment } from '@/gql/graphql';
import { SetWorkspaceQuotaMutation } from '@/graphql/sharing';
import { describeError } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, Input } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { quotaDefinitions } from '@/features/quotas/quota';
import {
  parseQuotaForm,
  quotaFieldOf,
  quotaFormValues,
  type QuotaFormErrors,
  type QuotaFormValues,
} from './quota-form';

/** Root key only: a form for every quota of one workspace (empty is unlimited). */
export function QuotaDialog({
  workspace,
}: {
  workspace: { id: string; name: string; quota: QuotaFieldsFragment };
}) {
  const id = useId();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<QuotaFormValues>(() => quotaFormValues(workspace.quota));
  const [errors, setErrors] = useState<QuotaFormErrors>({});
  const [saved, setQuota] = useMutation(SetWorkspaceQuotaMutation);
  // The API's refusal of this opening's attempt (not of an earlier one).
  const [submitted, setSubmitted] = useState(false);
  const apiError = submitted ? describeError(saved.error) : null;
  const apiField = apiError?.code === 'BAD_USER_INPUT' ? quotaFieldOf(apiError.field) : null;

  const openChange = (next: boolean) => {
    if (next) {
      setValues(quotaFormValues(workspace.quota));
      setErrors({});
      setSubmitted(false);
    }
    setOpen(next);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseQuotaForm(values);
    if (parsed.errors) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    setSubmitted(true);
    const result = await setQuota(
      { workspaceId: workspace.id, quota: parsed.quota },
      { additionalTypenames: ['Workspace'] },
    );
    if (result.data) {
      toast.success(`Quotas of ${workspace.name} saved.`);
      setOpen(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={openChange}
      title={`Quotas of ${workspace.name}`}
      description="Empty means unlimited. Sizes take B, KB, MB, GB or TB (powers of 1024). A change applies at once on every API replica."
      className="max-w-2xl"
      trigger={
        <Button variant="outline" size="sm" aria-label={`Set quotas of ${workspace.name}`}>
          Set quotas
        </Button>
      }
    >
      <form onSubmit={(event) => void submit(event)} className="grid gap-4" noValidate>
        <div className="grid gap-4 sm:grid-cols-2">
          {quotaDefinitions.map((definition) => {
            const name = definition.quota;
            const fieldId = `${id}-${name}`;
            const error = errors[name] ?? (apiField === name ? apiError?.message : undefined);
            return (
              <Field
                key={name}
                label={definition.label}
                htmlFor={fieldId}
                hint={definition.hint}
                error={error}
              >
                <Input
                  id={fieldId}
                  name={name}
                  value={values[name]}
                  inputMode={definition.kind === 'bytes' ? 'text' : 'numeric'}
                  placeholder="unlimited"
                  aria-invalid={Boolean(error)}
                  aria-describedby={error ? `${fieldId}-error` : `${fieldId}-hint`}
                  onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
                />
              </Field>
            );
          })}
        </div>
        {apiError && !apiField ? <ErrorMessage error={apiError} title="Not saved" /> : null}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button type="submit" busy={saved.fetching}>
            Save quotas
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
