import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ModelsView } from '@/features/models/models-view';

export const metadata: Metadata = { title: 'Models' };

export default function ModelsPage() {
  return (
    <Suspense>
      <ModelsView />
    </Suspense>
  );
}
