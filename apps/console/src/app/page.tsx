import { DashboardView } from '@/features/dashboard/dashboard-view';

export default function DashboardPage() {
  return <DashboardView />;
}
