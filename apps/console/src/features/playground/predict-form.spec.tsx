import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { PredictForm } from './predict-form';

vi.mock('next/link', () => ({
  default: ({ href, children }: { href: string; children: React.ReactNode }) => (
    <a href={href}>{children}</a>
  ),
}));

const signature = {
  inputs: [{ __typename: 'TensorSpec' as const, name: 'input', datatype: 'FP32', shape: [-1, 2] }],
  features: ['x1', 'colour'],
  categories: { colour: ['red', 'blue'] },
};

const answer = (explained: boolean) => ({
  data: {
    predict: {
      __typename: 'Prediction',
      id: 'p1',
      latencyMs: 1.5,
      outputs: { predictions: [7.5] },
      explanation: explained
        ? {
            __typename: 'Explanation',
            method: 'sampling-shapley',
            output: 'prediction',
            records: [
              {
                __typename: 'RecordExplanation',
                baseline: 5,
                contributions: [
                  { __typename: 'FeatureContribution', feature: 'x1', value: 2, contribution: 3 },
                  {
                    __typename: 'FeatureContribution',
                    feature: 'colour',
                    value: 'blue',
                    contribution: -0.5,
                  },
                ],
              },
            ],
          }
        : null,
      modelVersion: {
        __typename: 'ModelVersion',
        id: 'v1',
        version: 1,
        model: { __typename: 'Model', id: 'm1', name: 'prices' },
      },
    },
  },
});

function renderForm() {
  const sent: unknown[] = [];
  const { client } = fakeClient({
    query: (name, variables) => {
      if (name !== 'Predict') return undefined;
      sent.push(variables);
      const input = (variables as { input: { explain?: boolean } }).input;
      return answer(input.explain === true);
    },
  });
  render(
    <Provider value={client}>
      <PredictForm endpoint="prices" version={null} signature={signature} />
    </Provider>,
  );
  return sent;
}

describe('PredictForm explanations', () => {
  it('asks for an explanation when ticked and draws a bar per feature', async () => {
    const user = userEvent.setup();
    const sent = renderForm();
    await user.type(screen.getByLabelText('x1'), '2');
    await user.click(screen.getByLabelText(/Explain/));
    await user.click(screen.getByRole('button', { name: 'Predict' }));
    const chart = await screen.findByRole('list', { name: 'Contributions, record 1' });
    expect(sent).toEqual([
      {
        input: {
          model: 'prices',
          version: null,
          records: [{ x1: 2, colour: 'red' }],
          explain: true,
        },
      },
    ]);
    expect(
      within(chart)
        .getAllByRole('listitem')
        .map((li) => li.getAttribute('aria-label')),
    ).toEqual(['x1 = 2: +3', 'colour = blue: −0.5']);
    expect(screen.getByTestId('explanation-sum').textContent).toBe('baseline 5 +2.5 = 7.5');
  });

  it('sends explain: false and draws no chart when not ticked', async () => {
    const user = userEvent.setup();
    const sent = renderForm();
    await user.type(screen.getByLabelText('x1'), '1');
    await user.click(screen.getByRole('button', { name: 'Predict' }));
    await screen.findByTestId('prediction-value');
    expect((sent[0] as { input: { explain: boolean } }).input.explain).toBe(false);
    expect(screen.queryByRole('region', { name: 'Explanation' })).toBeNull();
    expect(screen.queryByTestId('contribution-bar')).toBeNull();
  });
});
