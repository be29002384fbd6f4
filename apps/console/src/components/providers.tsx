'use client';
import type { ReactNode } from 'react';
import { ApiConfigProvider } from '@/lib/api-config';
import { GraphQLProvider } from '@/lib/graphql-provider';
import { SessionProvider, useSession } from '@/lib/session';
import { ThemeProvider } from '@/lib/theme';
import { ToastProvider } from '@/components/ui/toast';
import { Spinner } from '@/components/ui/button';
import { AppShell } from './app-shell';
import { SignIn } from './sign-in';

/** Everything a page needs: the API address, theme, toasts, the session and its client. */
export function Providers({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  return (
    <ApiConfigProvider apiUrl={apiUrl}>
      <ThemeProvider>
        <ToastProvider>
          <SessionProvider>
            <SessionGate>{children}</SessionGate>
          </SessionProvider>
        </ToastProvider>
      </ThemeProvider>
    </ApiConfigProvider>
  );
}

/** Pages render only for a signed-in session; otherwise the sign-in form, on any path. */
function SessionGate({ children }: { children: ReactNode }) {
  const { status, apiKey } = useSession();
  if (status === 'restoring') {
    return (
      <div
        role="status"
        className="flex min-h-dvh items-center justify-center gap-3 text-sm text-muted-foreground"
      >
        <Spinner />
        Loading the console…
      </div>
    );
  }
  if (status === 'signed-out' || !apiKey) return <SignIn />;
  return (
    <GraphQLProvider apiKey={apiKey}>
      <AppShell>{children}</AppShell>
    </GraphQLProvider>
  );
}
