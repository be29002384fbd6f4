import { act, render, screen, within } from '@testing-library/react';
import { Provider, type OperationResult } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { make, type Source } from 'wonka';
import { fakeClient } from '@/test/fake-api';
import { MonitoringPanel } from './monitoring-panel';

// uPlot draws on a canvas jsdom does not have: the charts are stood in for by their labels.
vi.mock('@/components/charts/line-chart', () => ({
  LineChart: ({ ariaLabel, series }: { ariaLabel: string; series: { label: string }[] }) => (
    <figure aria-label={ariaLabel}>{series.map((s) => s.label).join(', ')}</figure>
  ),
}));

const version = { __typename: 'ModelVersion', id: 'v1', version: 1 };
const bucket = (start: string, psi: { x: number; z: number }, rmse: number | null) => ({
  __typename: 'MonitoringBucket',
  start,
  version,
  requests: 10,
  errors: 0,
  feedbackCount: rmse === null ? 0 : 5,
  onlineMetrics: rmse === null ? null : { mae: rmse / 2, rmse },
  inputDrift: [
    { __typename: 'FeatureDrift', feature: 'x', psi: psi.x },
    { __typename: 'FeatureDrift', feature: 'z', psi: psi.z },
  ],
  predictionDrift: 0.01,
  driftSamples: 200,
});
const alert = (id: string, feature: string, value: number) => ({
  __typename: 'MonitoringAlert',
  id,
  at: '2026-12-01T10:02:00Z',
  kind: 'inputDrift',
  feature,
  message: `Input drift (PSI) of feature "${feature}" on version 1 is ${value}`,
  value,
  threshold: 0.25,
  resolvedAt: null,
});

function renderPanel(alerts: ReturnType<typeof alert>[]) {
  let push: (answer: Partial<OperationResult>) => void = () => undefined;
  const subscribe = vi.fn(
    (): Source<Partial<OperationResult>> =>
      make((observer) => {
        push = (answer) => observer.next(answer);
        return () => undefined;
      }),
  );
  const query = vi.fn((name: string) =>
    name === 'DeploymentMonitoring'
      ? {
          data: {
            deploymentMonitoring: {
              __typename: 'DeploymentMonitoring',
              windowSeconds: 3600,
              bucketSeconds: 60,
              sampled: false,
              buckets: [
                bucket('2026-12-01T10:00:00Z', { x: 0.02, z: 0.01 }, 0.3),
                bucket('2026-12-01T10:01:00Z', { x: 1.7, z: 0.15 }, 1.2),
              ],
              alerts,
            },
          },
        }
      : undefined,
  );
  const { client } = fakeClient({ query, subscribe });
  render(
    <Provider value={client}>
      <MonitoringPanel deploymentName="prices" />
    </Provider>,
  );
  return { push: (a: Partial<OperationResult>) => act(() => push(a)), subscribe, query };
}

describe('MonitoringPanel', () => {
  it('charts the online RMSE and the drift per feature, and reads the latest drift', () => {
    const { query, subscribe } = renderPanel([]);
    expect(query).toHaveBeenCalledWith('DeploymentMonitoring', {
      name: 'prices',
      windowSeconds: 3600,
      bucketSeconds: 60,
    });
    expect(subscribe).toHaveBeenCalledWith('MonitoringAlerts', { deployment: 'prices' });
    expect(screen.getByText('Online RMSE (from feedback)')).toBeTruthy();
    expect(screen.getByLabelText('Online rmse over time').textContent).toBe('v1 rmse');
    expect(screen.getByLabelText('Input drift per feature over time').textContent).toBe('x, z');
    const rows = within(screen.getByRole('table', { name: 'Latest drift per feature' }))
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent);
    // The latest bucket, largest PSI first, with its reading.
    expect(rows).toEqual(['x1.7v1large', 'z0.15v1moderate']);
    expect(screen.getByText('No alerts in the last hour.')).toBeTruthy();
  });

  it('lists the alerts and adds the ones the subscription pushes, once', () => {
    const { push } = renderPanel([alert('a1', 'z', 0.3)]);
    expect(screen.getAllByTestId('monitoring-alert')).toHaveLength(1);
    push({ data: { monitoringAlerts: alert('a2', 'x', 1.7) } });
    push({ data: { monitoringAlerts: alert('a2', 'x', 1.7) } });
    const listed = screen.getAllByTestId('monitoring-alert');
    expect(listed).toHaveLength(2);
    expect(listed[0]?.textContent).toContain('inputDrift: x');
    expect(listed[0]?.textContent).toContain('feature "x"');
    expect(listed[1]?.textContent).toContain('inputDrift: z');
  });
});
