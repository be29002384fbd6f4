import type { Metadata } from 'next';
import { Suspense } from 'react';
import { NewJobView } from '@/features/jobs/new-job-view';

export const metadata: Metadata = { title: 'New training job' };

export default function NewJobPage() {
  return (
    <Suspense>
      <NewJobView />
    </Suspense>
  );
}
