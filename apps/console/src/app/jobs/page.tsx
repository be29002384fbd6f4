import type { Metadata } from 'next';
import { Suspense } from 'react';
import { JobsView } from '@/features/jobs/jobs-view';

export const metadata: Metadata = { title: 'Training jobs' };

export default function JobsPage() {
  return (
    <Suspense>
      <JobsView />
    </Suspense>
  );
}
