import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { FeatureImportanceBars } from '../models/feature-importance';
import { EvaluationResults } from './evaluation-results';
import { EvaluationsCard } from './evaluations-card';

const residuals = (shift: number) => ({
  mean: shift,
  std: 0.5,
  min: -1,
  p05: -0.8,
  p25: -0.25,
  p50: shift,
  p75: 0.25,
  p95: 0.8,
  max: 1,
});

const regression = {
  comparison: {
    baselineVersionId: 'v1',
    versions: [
      { versionId: 'v1', delta: { rmse: 0, r2: 0 }, worseBy: { rmse: 0, r2: 0 } },
      { versionId: 'v2', delta: { rmse: 0.25, r2: -0.1 }, worseBy: { rmse: 0.25, r2: 0.1 } },
    ],
    best: { rmse: 'v1', r2: 'v1' },
  },
  results: [
    {
      version: { id: 'v1', version: 1 },
      metrics: { rmse: 0.5, r2: 0.9 },
      details: {
        rows: 400,
        residuals: residuals(0.125),
        featureImportance: [
          { feature: 'x1', importance: 8 },
          { feature: 'x3', importance: 2 },
          { feature: 'x2', importance: 0 },
        ],
      },
    },
    {
      version: { id: 'v2', version: 2 },
      metrics: { rmse: 0.75, r2: 0.8 },
      details: { rows: 400, residuals: residuals(-0.5) },
    },
  ],
};

describe('EvaluationResults', () => {
  it('puts versions × metrics side by side, marks the best, shows each against the baseline', () => {
    render(<EvaluationResults job={regression} />);
    const table = screen.getByRole('table', { name: 'Metrics by version' });
    const header = within(table)
      .getAllByRole('columnheader')
      .map((c) => c.textContent);
    expect(header).toEqual(['Version', 'rmse', 'r2']);
    const [first, second] = within(table).getAllByRole('row').slice(1);
    expect(first?.textContent).toContain('v1baseline');
    expect(within(first as HTMLElement).getAllByText('best')).toHaveLength(2);
    const cells = within(second as HTMLElement)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells).toEqual(['v2', '0.75(+0.25)', '0.8(-0.1)']);
  });

  it("shows a regressor's residual summary and the feature importance bars", () => {
    render(<EvaluationResults job={regression} />);
    const summary = screen.getByLabelText('Residuals of version 2');
    const value = (key: string) =>
      within(summary).getByText(key, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(value('mean')).toBe('-0.5');
    expect(value('p95')).toBe('0.8');
    expect(screen.getAllByText('400 rows')).toHaveLength(2);
    const bars = screen.getByRole('list', { name: 'Feature importance of version 1' });
    expect(
      within(bars)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['x18', 'x32', 'x20']);
    expect(screen.queryByRole('list', { name: 'Feature importance of version 2' })).toBeNull();
  });

  it("counts a classifier's confusion matrix, actual by predicted", () => {
    render(
      <EvaluationResults
        job={{
          comparison: null,
          results: [
            {
              version: { id: 'c1', version: 4 },
              metrics: { accuracy: 0.9 },
              details: {
                rows: 10,
                labels: ['no', 'yes'],
                confusionMatrix: [
                  [4, 1],
                  [0, 5],
                ],
              },
            },
          ],
        }}
      />,
    );
    const matrix = screen.getByRole('table', { name: 'Confusion matrix of version 4' });
    const rows = within(matrix)
      .getAllByRole('row')
      .map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['actual \\ predicted', 'no', 'yes'],
      ['no', '4', '1'],
      ['yes', '0', '5'],
    ]);
    // A single version: nothing to be best against.
    expect(screen.queryByText('best')).toBeNull();
  });
});

describe('FeatureImportanceBars', () => {
  it('scales bars to the largest importance; a negative one has none', () => {
    render(
      <FeatureImportanceBars
        importance={[
          { feature: 'a', importance: 4 },
          { feature: 'b', importance: 1 },
          { feature: 'c', importance: -0.5 },
        ]}
      />,
    );
    expect(screen.getByTestId('importance-bar-a').style.width).toBe('100%');
    expect(screen.getByTestId('importance-bar-b').style.width).toBe('25%');
    expect(screen.getByTestId('importance-bar-c').style.width).toBe('0%');
  });
});

describe('EvaluationsCard', () => {
  const job = {
    __typename: 'EvaluationJob' as const,
    id: 'e1',
    status: 'SUCCEEDED' as const,
    target: 'y',
    error: null,
    createdAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    dataset: { __typename: 'Dataset' as const, id: 'd1', name: 'rows' },
    versions: [
      { __typename: 'ModelVersion' as const, id: 'v1', version: 1 },
      { __typename: 'ModelVersion' as const, id: 'v2', version: 2 },
    ],
    ...regression,
  };
  const datasets = {
    datasets: {
      edges: [
        {
          node: {
            id: 'd1',
            name: 'rows',
            columns: [
              { name: 'x1', type: 'numeric' },
              { name: 'y', type: 'numeric' },
            ],
          },
        },
      ],
    },
  };

  it("lists the model's evaluations, shows the newest, and starts one with the chosen versions, dataset and target", async () => {
    const user = userEvent.setup();
    const mutate = vi.fn(() => ({ data: { startEvaluationJob: { ...job, id: 'e2' } } }));
    const { client } = fakeClient({
      query: (name) =>
        name === 'EvaluationJobs'
          ? { data: { evaluationJobs: [job] } }
          : name === 'EvaluationDatasets'
            ? { data: datasets }
            : undefined,
      mutate,
    });
    render(
      <Provider value={client}>
        <EvaluationsCard
          modelId="m1"
          canEdit
          versions={[
            { id: 'v2', version: 2, features: ['x1'] },
            { id: 'v1', version: 1, features: ['x1'] },
          ]}
        />
      </Provider>,
    );
    expect(screen.getByRole('list', { name: 'Evaluation jobs' }).textContent).toContain(
      'v1 vs v2 on rows',
    );
    expect(screen.getByRole('table', { name: 'Metrics by version' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    await user.selectOptions(screen.getByLabelText('Dataset'), 'd1');
    // The features are not offered as the target.
    const target = screen.getByLabelText('Target column');
    expect(within(target).queryByText('x1 (numeric)')).toBeNull();
    await user.selectOptions(target, 'y');
    await user.click(screen.getByRole('button', { name: 'Start evaluation' }));
    expect(mutate).toHaveBeenCalledWith('StartEvaluationJob', {
      input: { versionIds: ['v2', 'v1'], datasetId: 'd1', target: 'y' },
    });
  });

  it('offers no "Evaluate" to a viewer', () => {
    const { client } = fakeClient({ query: () => ({ data: { evaluationJobs: [] } }) });
    render(
      <Provider value={client}>
        <EvaluationsCard
          modelId="m1"
          canEdit={false}
          versions={[{ id: 'v1', version: 1, features: ['x'] }]}
        />
      </Provider>,
    );
    expect(screen.getByText('No evaluations yet')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Evaluate' })).toBeNull();
  });
});
