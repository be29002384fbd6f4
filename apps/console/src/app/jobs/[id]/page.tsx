import type { Metadata } from 'next';
import { JobDetailView } from '@/features/jobs/job-detail-view';

export const metadata: Metadata = { title: 'Training job' };

export default function JobPage() {
  return <JobDetailView />;
}
