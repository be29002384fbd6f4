'use client';
// The signed-in session: the API key (kept in sessionStorage, so it lasts until the tab closes
// or the user signs out) and the viewer it belongs to, checked with the `viewer` query.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import type { ReactNode } from 'react';
import { checkApiKey, invalidKeyMessage, type SessionViewer } from './viewer';
import { useApiUrl } from './api-config';
import type { ApiErrorInfo } from './api-error';
import { storedValue } from './browser-store';

const storedKey = storedValue('session', 'maas.apiKey');

export type SessionStatus = 'restoring' | 'signed-out' | 'signed-in';

export interface Session {
  status: SessionStatus;
  apiKey: string | null;
  viewer: SessionViewer | null;
  /** Why the user is signed out (a revoked key, an unreachable API), shown on the sign-in form. */
  notice: ApiErrorInfo | null;
  /** Checks the key with `viewer`; keeps it on success, else returns the error to show. */
  signIn: (apiKey: string) => Promise<ApiErrorInfo | null>;
  signOut: () => void;
  /** Ends the session because the API refused the key. */
  expire: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** Holds the session for the whole console. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const apiUrl = useApiUrl();
  // undefined until hydrated (no sessionStorage on the server), then the stored key or null.
  const key = useSyncExternalStore(storedKey.subscribe, storedKey.read, storedKey.readOnServer);
  const [verified, setVerified] = useState<{ key: string; viewer: SessionViewer } | null>(null);
  const [failed, setFailed] = useState<{ key: string; error: ApiErrorInfo } | null>(null);
  const [notice, setNotice] = useState<ApiErrorInfo | null>(null);

  // A key restored from an earlier page load is checked again before anything is shown.
  const needsCheck = Boolean(key) && verified?.key !== key && failed?.key !== key;
  useEffect(() => {
    if (!needsCheck || !key) return;
    let active = true;
    void checkApiKey(apiUrl, key).then((result) => {
      if (!active) return;
      if ('viewer' in result) {
        setVerified({ key, viewer: result.viewer });
      } else {
        setFailed({ key, error: result.error });
        // A refused key is forgotten; an unreachable API may come back, so that key is kept.
        if (result.error.code === 'UNAUTHENTICATED') storedKey.write(null);
        setNotice(result.error);
      }
    });
    return () => {
      active = false;
    };
  }, [apiUrl, key, needsCheck]);

  const status: SessionStatus =
    key === undefined || needsCheck
      ? 'restoring'
      : key && verified?.key === key
        ? 'signed-in'
        : 'signed-out';

  const signIn = useCallback(
    async (candidate: string) => {
      const trimmed = candidate.trim();
      const result = await checkApiKey(apiUrl, trimmed);
      if ('error' in result) return result.error;
      setVerified({ key: trimmed, viewer: result.viewer });
      setFailed(null);
      setNotice(null);
      storedKey.write(trimmed);
      return null;
    },
    [apiUrl],
  );

  const end = useCallback((why: ApiErrorInfo | null) => {
    storedKey.write(null);
    setVerified(null);
    setFailed(null);
    setNotice(why);
  }, []);

  const signOut = useCallback(() => end(null), [end]);
  const expire = useCallback(
    () => end({ message: `You were signed out. ${invalidKeyMessage}`, code: 'UNAUTHENTICATED' }),
    [end],
  );

  const signedIn = status === 'signed-in';
  const value = useMemo<Session>(
    () => ({
      status,
      apiKey: signedIn ? (key ?? null) : null,
      viewer: signedIn ? (verified?.viewer ?? null) : null,
      notice,
      signIn,
      signOut,
      expire,
    }),
    [status, signedIn, key, verified, notice, signIn, signOut, expire],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The current session; throws outside SessionProvider. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() must be used inside <SessionProvider>');
  return session;
}

/** The signed-in viewer; only for components rendered behind the sign-in gate. */
export function useViewer(): SessionViewer {
  const { viewer } = useSession();
  if (!viewer) throw new Error('useViewer() needs a signed-in session');
  return viewer;
}
