'use client';
import Link from 'next/link';
import { useMemo } from 'react';
import { Activity } from 'lucide-react';
import { formatMetric, formatMs } from '@/lib/format';
import { LineChart } from '@/components/charts/line-chart';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/states';
import { useDeploymentStats } from '@/features/deployments/use-deployment-stats';

const shownDeployments = 4;

/** Live requests/s and latency of the first few deployments (`deploymentStatsUpdated`). */
export function ThroughputCard({
  deployments,
}: {
  deployments: readonly { id: string; name: string }[];
}) {
  return (
    <Card>
      <CardHeader
        title="Live serving"
        description="Requests per second and latency, per deployment"
        actions={
          <Link href="/deployments" className="text-xs font-medium text-primary hover:underline">
            All deployments
          </Link>
        }
      />
      <CardBody>
        {deployments.length === 0 ? (
          <EmptyState
            icon={<Activity />}
            title="No deployments"
            description="Deploy a model version to see its traffic here."
          />
        ) : (
          <ul className="grid gap-4">
            {deployments.slice(0, shownDeployments).map((d) => (
              <DeploymentThroughput key={d.id} name={d.name} />
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}

function DeploymentThroughput({ name }: { name: string }) {
  const { latest, series } = useDeploymentStats(name);
  const x = useMemo(() => series.map((p) => p.at), [series]);
  const rate = useMemo(
    () => [
      {
        label: 'requests/s',
        values: series.map((p) => p.requestsPerSecond),
        color: 'chart-1' as const,
      },
    ],
    [series],
  );
  return (
    <li className="grid gap-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <Link
          href={`/deployments/${encodeURIComponent(name)}`}
          className="font-medium hover:text-primary hover:underline"
        >
          {name}
        </Link>
        <span className="text-xs text-muted-foreground tabular-nums">
          {latest ? `${formatMetric(Math.round(latest.requestsPerSecond * 100) / 100)} req/s` : '—'}{' '}
          · p50 {formatMs(latest?.p50Ms)} · p99 {formatMs(latest?.p99Ms)}
        </span>
      </div>
      {series.length >= 2 ? (
        <LineChart
          x={x}
          series={rate}
          time
          height={110}
          legend={false}
          ariaLabel={`Requests per second of ${name}`}
        />
      ) : (
        <p className="text-xs text-muted-foreground">Collecting data…</p>
      )}
    </li>
  );
}
