'use client';
import { useId, useState, type FormEvent } from 'react';
import { KeyRound } from 'lucide-react';
import { useSession } from '@/lib/session';
import { useApiUrl } from '@/lib/api-config';
import type { ApiErrorInfo } from '@/lib/api-error';
import { Button } from './ui/button';
import { Input, Label } from './ui/input';
import { ErrorMessage } from './ui/states';
import { Logo } from './logo';

/** The first screen: one field labelled "API key", checked with the `viewer` query. */
export function SignIn() {
  const { signIn, notice } = useSession();
  const apiUrl = useApiUrl();
  const inputId = useId();
  const [apiKey, setApiKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const shown = error ?? notice;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failure = await signIn(apiKey);
    setBusy(false);
    if (failure) setError(failure);
  };

  return (
    <main className="flex min-h-dvh items-center justify-center bg-gradient-to-b from-accent/60 to-background px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center gap-2 text-center">
          <Logo className="size-10" />
          <h1 className="text-xl font-semibold">Sign in to maas</h1>
          <p className="text-sm text-muted-foreground">
            Use an API key of your workspace. The admin key is printed when{' '}
            <code className="rounded bg-muted px-1 font-mono text-xs">npm start</code> first runs.
          </p>
        </div>
        <form
          onSubmit={(event) => void submit(event)}
          className="grid gap-4 rounded-xl border border-border bg-card p-5 shadow-sm"
          noValidate
        >
          <div className="grid gap-1.5">
            <Label htmlFor={inputId}>API key</Label>
            <div className="relative">
              <KeyRound
                aria-hidden
                className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground"
              />
              <Input
                id={inputId}
                name="apiKey"
                type="password"
                autoComplete="off"
                spellCheck={false}
                placeholder="maas_…"
                className="pl-9 font-mono"
                value={apiKey}
                onChange={(event) => setApiKey(event.target.value)}
                aria-invalid={shown ? true : undefined}
                aria-describedby={shown ? `${inputId}-error` : undefined}
                autoFocus
                required
              />
            </div>
          </div>
          {shown ? (
            <div id={`${inputId}-error`}>
              <ErrorMessage error={shown} title="Cannot sign in" />
            </div>
          ) : null}
          <Button
            type="submit"
            busy={busy}
            disabled={!apiKey.trim()}
            className="w-full justify-center"
          >
            Sign in
          </Button>
          <p className="text-center text-xs text-muted-foreground">
            The key stays in this tab only and is cleared when you sign out.
            <br />
            API: <span className="font-mono">{apiUrl}</span>
          </p>
        </form>
      </div>
    </main>
  );
}
