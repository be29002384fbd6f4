'use client';
// Light, dark or the system's choice; remembered in localStorage. The inline script in the root
// layout applies it before the first paint, so there is no flash of the wrong theme.
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import { storedValue } from './browser-store';

export type ThemeChoice = 'light' | 'dark' | 'system';

const storageKey = 'maas.theme';
const storedTheme = storedValue('local', storageKey);

/** Runs in <head> before React: sets the `dark` class from the stored or system preference. */
export const themeScript = `(function(){try{var c=localStorage.getItem('${storageKey}');var d=c==='dark'||((c===null||c==='system')&&window.matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);}catch(e){}})();`;

interface ThemeApi {
  choice: ThemeChoice;
  resolved: 'light' | 'dark';
  setChoice: (choice: ThemeChoice) => void;
}

const ThemeContext = createContext<ThemeApi | null>(null);

const darkQuery = '(prefers-color-scheme: dark)';
const subscribeSystem = (listener: () => void) => {
  const media = window.matchMedia?.(darkQuery);
  media?.addEventListener('change', listener);
  return () => media?.removeEventListener('change', listener);
};
const readSystemDark = () => window.matchMedia?.(darkQuery).matches ?? false;

function toChoice(stored: string | null | undefined): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

const setChoice = (choice: ThemeChoice) => storedTheme.write(choice);

export function ThemeProvider({ children }: { children: ReactNode }) {
  const choice = toChoice(
    useSyncExternalStore(storedTheme.subscribe, storedTheme.read, storedTheme.readOnServer),
  );
  const systemDark = useSyncExternalStore(subscribeSystem, readSystemDark, () => false);
  const resolved = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;

  useEffect(() => {
    document.documentElement.classList.toggle('dark', resolved === 'dark');
  }, [resolved]);

  const api = useMemo(() => ({ choice, resolved, setChoice }), [choice, resolved]);
  return <ThemeContext.Provider value={api}>{children}</ThemeContext.Provider>;
}

/** The theme; outside ThemeProvider, light (component tests). */
export function useTheme(): ThemeApi {
  return (
    useContext(ThemeContext) ?? { choice: 'light', resolved: 'light', setChoice: () => undefined }
  );
}
