'use client';
import { useState } from 'react';
import { useQuery } from 'urql';
import { UsageSeriesQuery } from '@/graphql/sharing';
import { describeError } from '@/lib/api-error';
import { formatCount, formatSeconds } from '@/lib/format';
import { useViewer } from '@/lib/session';
import { LineChart, type LineSeries } from '@/components/charts/line-chart';
import { PageHeader } from '@/components/page-header';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ErrorMessage, LoadingRows } from '@/components/ui/states';
import { QuotaCard } from '@/features/quotas/quota-card';
import { UsageBreakdownCard } from './usage-breakdown-card';
import { dailySeries, usageTotals, usageWindow, type UsageMetric } from './usage-series';

const charts: {
  metric: UsageMetric;
  title: string;
  color: LineSeries['color'];
  format: (value: number) => string;
}[] = [
  { metric: 'predictionRows', title: 'Predictions (rows)', color: 'chart-1', format: formatCount },
  { metric: 'requests', title: 'Requests', color: 'chart-5', format: formatCount },
  { metric: 'completionTokens', title: 'Generated tokens', color: 'chart-4', format: formatCount },
  { metric: 'trainingSeconds', title: 'Training time', color: 'chart-2', format: formatSeconds },
];

/** `/usage`: the workspace's metered usage per day over 30 days, by model and by key, and storage. */
export function UsageView() {
  const viewer = useViewer();
  // Fixed for the page's life, so the queries' variables stay the same between renders.
  const [span] = useState(() => usageWindow(new Date(), 30));
  const base = { from: span.from, to: span.to, granularity: 'DAY' as const };
  const [daily] = useQuery({ query: UsageSeriesQuery, variables: { ...base, groupBy: null } });
  const [byModel] = useQuery({
    query: UsageSeriesQuery,
    variables: { ...base, groupBy: ['MODEL' as const] },
  });
  const [byKey] = useQuery({
    query: UsageSeriesQuery,
    variables: { ...base, groupBy: ['API_KEY' as const] },
  });
  const records = daily.data?.usage ?? [];
  const series = dailySeries(records, span);
  const totals = usageTotals(records);

  return (
    <>
      <PageHeader
        title="Usage"
        description={`What workspace ${viewer.workspace.name} used over the last ${span.days} days (UTC), and its storage against its quota.`}
      />
      <ErrorMessage error={describeError(daily.error)} title="Cannot load usage" className="mb-4" />
      <div className="mb-6 grid gap-6 md:grid-cols-2">
        {charts.map((chart) => (
          <Card key={chart.metric} role="region" aria-label={chart.title}>
            <CardHeader
              title={chart.title}
              description={
                daily.data ? `${chart.format(totals[chart.metric])} in ${span.days} days` : ' '
              }
            />
            <CardBody>
              {daily.fetching && !daily.data ? (
                <LoadingRows rows={3} label={`Loading ${chart.title.toLowerCase()}`} />
              ) : (
                <LineChart
                  x={series.x}
                  series={[
                    {
                      label: chart.title,
                      values: series.values[chart.metric],
                      color: chart.color,
                    },
                  ]}
                  time
                  height={180}
                  legend={false}
                  formatY={chart.format}
                  ariaLabel={`${chart.title} per day over the last ${span.days} days: ${chart.format(totals[chart.metric])} in all`}
                />
              )}
            </CardBody>
          </Card>
        ))}
      </div>
      <QuotaCard
        title="Storage against quota"
        description="Artifacts of models and datasets (each stored byte counted once) against the workspace's quota."
        names={['maxStorageBytes', 'maxDatasetBytes']}
        className="mb-6"
      />
      <UsageBreakdownCard
        title="By model"
        description="Totals per model over the window"
        nameHeader="Model"
        result={byModel}
        by="model"
        className="mb-6"
      />
      <UsageBreakdownCard
        title="By API key"
        description="Totals per key over the window"
        nameHeader="Key"
        result={byKey}
        by="apiKey"
      />
    </>
  );
}
