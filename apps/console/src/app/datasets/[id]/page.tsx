import type { Metadata } from 'next';
import { DatasetDetailView } from '@/features/datasets/dataset-detail-view';

export const metadata: Metadata = { title: 'Dataset' };

export default function DatasetPage() {
  return <DatasetDetailView />;
}
