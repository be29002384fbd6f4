'use client';
// The Monitoring tab of a deployment: the online metric from feedback and the drift of each input
// feature over the last hour (deploymentMonitoring), and its alerts, new ones pushed live
// (monitoringAlerts).
import { useCallback, useMemo, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { BellRing, Gauge } from 'lucide-react';
import type { MonitoringAlertFieldsFragment } from '@/gql/graphql';
import { DeploymentMonitoringQuery, MonitoringAlertsSubscription } from '@/graphql/monitoring';
import { describeError } from '@/lib/api-error';
import { formatMetric } from '@/lib/format';
import { LineChart } from '@/components/charts/line-chart';
import { RelativeTime } from '@/components/time';
import { Badge } from '@/components/ui/badge';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { driftLevel, monitoringSeries } from './monitoring-series';

type Alert = MonitoringAlertFieldsFragment;

const WINDOW_SECONDS = 3600;
const BUCKET_SECONDS = 60;
const COLORS = ['chart-1', 'chart-2', 'chart-3', 'chart-4', 'chart-5'] as const;
const color = (i: number) => COLORS[i % COLORS.length] ?? 'chart-1';
const LEVEL_TONE = { stable: 'success', moderate: 'warning', large: 'danger' } as const;

export function MonitoringPanel({ deploymentName }: { deploymentName: string }) {
  const [{ data, fetching, error }] = useQuery({
    query: DeploymentMonitoringQuery,
    variables: {
      name: deploymentName,
      windowSeconds: WINDOW_SECONDS,
      bucketSeconds: BUCKET_SECONDS,
    },
    requestPolicy: 'cache-and-network',
  });
  const [pushed, setPushed] = useState<Alert[]>([]);
  const onAlert = useCallback((_prev: unknown, event: { monitoringAlerts: Alert }) => {
    setPushed((list) =>
      list.some((a) => a.id === event.monitoringAlerts.id)
        ? list
        : [event.monitoringAlerts, ...list],
    );
    return event;
  }, []);
  useSubscription(
    { query: MonitoringAlertsSubscription, variables: { deployment: deploymentName } },
    onAlert,
  );
  const monitoring = data?.deploymentMonitoring;
  const series = useMemo(
    () => monitoringSeries(monitoring?.buckets ?? [], monitoring?.bucketSeconds),
    [monitoring],
  );
  const alerts = useMemo(() => {
    const listed = monitoring?.alerts ?? [];
    const ids = new Set(listed.map((a) => a.id));
    return [...pushed.filter((a) => !ids.has(a.id)), ...listed];
  }, [pushed, monitoring]);

  const online = useMemo(
    () =>
      series.online.map((s, i) => ({
        label: `v${s.version} ${series.metric ?? ''}`,
        values: s.values,
        color: color(i),
      })),
    [series],
  );
  const drift = useMemo(
    () => series.drift.map((s, i) => ({ label: s.feature, values: s.values, color: color(i) })),
    [series],
  );

  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader
          title={
            <span className="flex items-center gap-2">
              <Gauge aria-hidden className="size-4 text-primary" />
              Online metric and drift
            </span>
          }
          description={`The last hour in ${BUCKET_SECONDS} s buckets: the metric from feedback, and each input feature's population stability index against the version's training data${monitoring?.sampled ? ' (of the most recent logged predictions)' : ''}`}
        />
        <CardBody className="grid gap-5">
          <ErrorMessage error={describeError(error)} title="Monitoring unavailable" />
          {!monitoring && fetching ? <LoadingRows rows={3} /> : null}
          {monitoring && series.x.length === 0 ? (
            <EmptyState
              icon={<Gauge />}
              title="No traffic in the last hour"
              description="Logged predictions and their feedback show up here."
            />
          ) : null}
          {series.x.length > 0 ? (
            <div className="grid gap-4 lg:grid-cols-2">
              <section aria-label="Online metric">
                <h3 className="mb-2 text-xs font-medium text-muted-foreground">
                  {series.metric === 'rmse'
                    ? 'Online RMSE (from feedback)'
                    : series.metric === 'accuracy'
                      ? 'Online accuracy (from feedback)'
                      : 'Online metric: no feedback yet'}
                </h3>
                {online.length > 0 ? (
                  <LineChart
                    x={series.x}
                    series={online}
                    time
                    height={200}
                    ariaLabel={`Online ${series.metric ?? 'metric'} over time`}
                    formatY={formatMetric}
                  />
                ) : null}
              </section>
              <section aria-label="Input drift">
                <h3 className="mb-2 text-xs font-medium text-muted-foreground">
                  Input drift (PSI) per feature
                </h3>
                {drift.length > 0 ? (
                  <LineChart
                    x={series.x}
                    series={drift}
                    time
                    height={200}
                    ariaLabel="Input drift per feature over time"
                    formatY={formatMetric}
                  />
                ) : (
                  <p className="text-sm text-muted-foreground">
                    No reference bins: the versions have no training profile and the deployment no
                    reference dataset.
                  </p>
                )}
              </section>
            </div>
          ) : null}
          {series.latestDrift.length > 0 ? (
            <Table aria-label="Latest drift per feature">
              <THead>
                <tr>
                  <Th>Feature</Th>
                  <Th className="text-right">PSI</Th>
                  <Th>Version</Th>
                  <Th>Reading</Th>
                </tr>
              </THead>
              <TBody>
                {series.latestDrift.map((d) => (
                  <Tr key={d.feature}>
                    <Td className="font-mono text-xs">{d.feature}</Td>
                    <Td className="text-right tabular-nums">{formatMetric(d.psi)}</Td>
                    <Td className="tabular-nums">v{d.version}</Td>
                    <Td>
                      <Badge tone={LEVEL_TONE[driftLevel(d.psi)]}>{driftLevel(d.psi)}</Badge>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          ) : null}
        </CardBody>
      </Card>
      <Card>
        <CardHeader
          title={
            <span className="flex items-center gap-2">
              <BellRing aria-hidden className="size-4 text-warning" />
              Alerts
            </span>
          }
          description="Thresholds crossed (setMonitoringThresholds); new ones appear as they are raised"
        />
        <CardBody>
          {alerts.length === 0 ? (
            <p className="text-sm text-muted-foreground">No alerts in the last hour.</p>
          ) : (
            <ul className="grid gap-2" aria-label="Monitoring alerts">
              {alerts.map((a) => (
                <li
                  key={a.id}
                  data-testid="monitoring-alert"
                  className="rounded-lg border border-border px-3 py-2 text-sm"
                >
                  <div className="flex flex-wrap items-center gap-2">
                    <Badge tone={a.resolvedAt ? 'neutral' : 'danger'}>
                      {a.kind}
                      {a.feature ? `: ${a.feature}` : ''}
                    </Badge>
                    <span className="tabular-nums">
                      {formatMetric(a.value)} (limit {formatMetric(a.threshold)})
                    </span>
                    <span className="text-xs text-muted-foreground">
                      <RelativeTime iso={a.at} />
                      {a.resolvedAt ? ' · resolved' : ' · open'}
                    </span>
                  </div>
                  <p className="mt-1 text-xs text-muted-foreground">{a.message}</p>
                </li>
              ))}
            </ul>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
