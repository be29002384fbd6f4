'use client';
import { useMemo } from 'react';
import { Activity } from 'lucide-react';
import { formatMetric, formatMs } from '@/lib/format';
import { LineChart } from '@/components/charts/line-chart';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { useDeploymentStats } from './use-deployment-stats';
import { versionStats } from './stats-series';

const ms = formatMs;
const formatRate = (v: number) => formatMetric(Math.round(v * 100) / 100);

/** Requests per second and latency of a deployment, pushed every few seconds. */
export function LiveStats({ name }: { name: string }) {
  const { latest, series, error } = useDeploymentStats(name);
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
  const latency = useMemo(
    () => [
      { label: 'p50', values: series.map((p) => p.p50Ms), color: 'chart-3' as const },
      { label: 'p99', values: series.map((p) => p.p99Ms), color: 'chart-4' as const, dashed: true },
    ],
    [series],
  );
  const perVersion = versionStats(latest?.byVersion);
  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            <Activity aria-hidden className="size-4 text-success" />
            Live serving
          </span>
        }
        description={`Over the last ${latest?.windowSeconds ?? 60} s, across every API replica; updates every few seconds`}
      />
      <CardBody className="grid gap-5">
        <ErrorMessage error={error} title="Live stats unavailable" />
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {[
            ['Requests/s', latest ? formatRate(latest.requestsPerSecond) : '—'],
            ['p50 latency', ms(latest?.p50Ms)],
            ['p99 latency', ms(latest?.p99Ms)],
            ['Errors', latest ? `${latest.errors} / ${latest.requests}` : '—'],
          ].map(([label, value]) => (
            <div key={label} className="rounded-lg border border-border px-3 py-2">
              <dt className="text-xs text-muted-foreground">{label}</dt>
              <dd className="text-lg font-semibold tabular-nums" aria-live="polite">
                {value}
              </dd>
            </div>
          ))}
        </dl>
        {series.length < 2 ? (
          <EmptyState
            icon={<Activity />}
            title="Collecting data"
            description="The chart fills in as the API pushes stats. Send predictions (the Playground) to see traffic."
          />
        ) : (
          <div className="grid gap-4 lg:grid-cols-2">
            <LineChart
              x={x}
              series={rate}
              time
              height={200}
              ariaLabel="Requests per second over time"
              formatY={formatRate}
            />
            <LineChart
              x={x}
              series={latency}
              time
              height={200}
              ariaLabel="Latency p50 and p99 over time"
              formatY={formatMetric}
              yLabel="ms"
            />
          </div>
        )}
        {perVersion.length ? (
          <Table>
            <THead>
              <tr>
                <Th>Version</Th>
                <Th className="text-right">Requests</Th>
                <Th className="text-right">Share</Th>
                <Th className="text-right">Errors</Th>
                <Th className="text-right">p50</Th>
                <Th className="text-right">p99</Th>
              </tr>
            </THead>
            <TBody>
              {perVersion.map((v) => (
                <Tr key={v.version}>
                  <Td className="tabular-nums">v{v.version}</Td>
                  <Td className="text-right tabular-nums">{v.requests}</Td>
                  <Td className="text-right tabular-nums">
                    {latest && latest.requests > 0
                      ? `${Math.round((v.requests / latest.requests) * 100)}%`
                      : '—'}
                  </Td>
                  <Td className="text-right tabular-nums">{v.errors}</Td>
                  <Td className="text-right tabular-nums">{ms(v.p50Ms)}</Td>
                  <Td className="text-right tabular-nums">{ms(v.p99Ms)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        ) : null}
      </CardBody>
    </Card>
  );
}
