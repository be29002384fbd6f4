import { DeploymentDetailView } from '@/features/deployments/deployment-detail-view';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return { title: decodeURIComponent(name) };
}

export default function DeploymentPage() {
  return <DeploymentDetailView />;
}
