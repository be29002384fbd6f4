'use client';
// The API's address, handed down from the root layout (which reads MAAS_API_URL per request).
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';

const ApiUrlContext = createContext<string | null>(null);

export function ApiConfigProvider({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  return <ApiUrlContext.Provider value={apiUrl}>{children}</ApiUrlContext.Provider>;
}

/** The API's base URL, e.g. "http://localhost:4000". */
export function useApiUrl(): string {
  const url = useContext(ApiUrlContext);
  if (!url) throw new Error('useApiUrl() must be used inside <ApiConfigProvider>');
  return url;
}
