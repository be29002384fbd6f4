import { Suspense } from 'react';
import { ModelDetailView } from '@/features/models/model-detail-view';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return { title: decodeURIComponent(name) };
}

export default function ModelPage() {
  return (
    <Suspense>
      <ModelDetailView />
    </Suspense>
  );
}
