'use client';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiErrorInfo } from '@/lib/api-error';
import { Button } from './ui/button';
import { Dialog, DialogClose } from './ui/dialog';
import { Input, Label } from './ui/input';
import { ErrorMessage } from './ui/states';

/**
 * Asks before a destructive action. `onConfirm` returns the API's error to show, or null when
 * done (the dialog closes). With `confirmText`, the user types it first (for deleting models).
 */
export function ConfirmDialog({
  trigger,
  title,
  description,
  confirmLabel,
  confirmText,
  onConfirm,
}: {
  trigger: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  confirmText?: string;
  onConfirm: () => Promise<ApiErrorInfo | null>;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorInfo | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const failure = await onConfirm();
    setBusy(false);
    if (failure) setError(failure);
    else setOpen(false);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setTyped('');
        setError(null);
      }}
      title={title}
      description={description}
      trigger={trigger}
    >
      <form className="grid gap-4" onSubmit={(event) => void submit(event)}>
        {confirmText ? (
          <div className="grid gap-1.5">
            <Label htmlFor={`${id}-confirm`}>
              Type <span className="font-mono">{confirmText}</span> to confirm
            </Label>
            <Input
              id={`${id}-confirm`}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              autoFocus
            />
          </div>
        ) : null}
        <ErrorMessage error={error} title="Not done" />
        <div className="flex justify-end gap-2">
          <DialogClose>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button
            type="submit"
            variant="destructive"
            busy={busy}
            disabled={confirmText !== undefined && typed !== confirmText}
          >
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
