import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { readApiUrl } from '@/env';
import { themeScript } from '@/lib/theme';
import { Providers } from '@/components/providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'maas console', template: '%s · maas' },
  description: 'Register, train, deploy and update models',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#fafbfc' },
    { media: '(prefers-color-scheme: dark)', color: '#15171c' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request, so MAAS_API_URL is read when the console runs, not when it is built.
  await connection();
  const apiUrl = readApiUrl();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-dvh">
        <Providers apiUrl={apiUrl}>{children}</Providers>
      </body>
    </html>
  );
}
