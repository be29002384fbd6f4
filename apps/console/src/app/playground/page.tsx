import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PlaygroundView } from '@/features/playground/playground-view';

export const metadata: Metadata = { title: 'Playground' };

export default function PlaygroundPage() {
  return (
    <Suspense>
      <PlaygroundView />
    </Suspense>
  );
}
