import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { ModelTimeline, TIMELINE_EVENTS, describeTrigger, kindTone } from './model-timeline';

vi.mock('next/link', () => ({
  default: ({ href, children }: { href: string; children: React.ReactNode }) => (
    <a href={href}>{children}</a>
  ),
}));

const now = Date.now();
const ago = (s: number) => new Date(now - s * 1000).toISOString();

/** A timeline as the API answers it, newest first. */
const events = [
  {
    __typename: 'TimelineEvent',
    at: ago(10),
    kind: 'promotion.completed',
    message: 'Promotion on deployment "prices" completed',
    version: { __typename: 'ModelVersion', id: 'v2', version: 2 },
    trainingJob: null,
    evaluation: null,
    promotion: { __typename: 'Promotion', id: 'p1', status: 'COMPLETED' },
  },
  {
    __typename: 'TimelineEvent',
    at: ago(60),
    kind: 'training.succeeded',
    message: 'LINEAR_REGRESSION training job (warm start) succeeded',
    version: { __typename: 'ModelVersion', id: 'v2', version: 2 },
    trainingJob: { __typename: 'TrainingJob', id: 'job-7' },
    evaluation: null,
    promotion: null,
  },
  {
    __typename: 'TimelineEvent',
    at: ago(120),
    kind: 'retrain.triggered',
    message: 'Retraining triggered (feedback): 80 new feedback rows (trigger: 80)',
    version: null,
    trainingJob: null,
    evaluation: null,
    promotion: null,
  },
];

function renderTimeline(model: unknown) {
  const query = vi.fn(() => ({ data: { model } }));
  const { client, executeQuery } = fakeClient({ query });
  render(
    <Provider value={client}>
      <ModelTimeline modelId="m1" modelName="prices" />
    </Provider>,
  );
  return { query, executeQuery };
}

describe('ModelTimeline', () => {
  it('lists the events newest first with their kind, message and links, and the policy above', () => {
    const { query } = renderTimeline({
      __typename: 'Model',
      id: 'm1',
      retrainPolicy: {
        __typename: 'RetrainPolicy',
        trigger: { minFeedbackRows: 80 },
        enabled: true,
        lastTriggeredAt: ago(120),
        deployment: { __typename: 'Deployment', name: 'prices' },
      },
      timeline: events,
    });
    expect(query).toHaveBeenCalledWith('ModelTimeline', { id: 'm1', first: TIMELINE_EVENTS });
    const items = within(screen.getByRole('list', { name: 'Timeline events' })).getAllByRole(
      'listitem',
    );
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringContaining('promotion.completed'),
      expect.stringContaining('training.succeeded'),
      expect.stringContaining('retrain.triggered'),
    ]);
    expect(items[1]?.textContent).toContain('(warm start) succeeded');
    expect(
      within(items[1] as HTMLElement)
        .getByRole('link', { name: 'job' })
        .getAttribute('href'),
    ).toBe('/jobs/job-7');
    expect(
      within(items[0] as HTMLElement)
        .getByRole('link', { name: 'v2' })
        .getAttribute('href'),
    ).toBe('/models/prices?version=2');
    const policy = screen.getByLabelText('Retraining policy');
    expect(policy.textContent).toContain('after 80 new feedback rows');
    expect(within(policy).getByRole('link', { name: 'prices' }).getAttribute('href')).toBe(
      '/deployments/prices',
    );
  });

  it('says when a policy has not run yet', () => {
    renderTimeline({
      __typename: 'Model',
      id: 'm1',
      retrainPolicy: {
        __typename: 'RetrainPolicy',
        trigger: { everySeconds: 3600 },
        enabled: false,
        lastTriggeredAt: null,
        deployment: { __typename: 'Deployment', name: 'prices' },
      },
      timeline: events,
    });
    expect(screen.getByLabelText('Retraining policy').textContent).toBe(
      "Retrains on prices's feedback after every 3600 s (switched off: set it again with a live key); not run yet.",
    );
  });

  it('says when there is no policy and nothing happened yet', () => {
    renderTimeline({ __typename: 'Model', id: 'm1', retrainPolicy: null, timeline: [] });
    expect(screen.getByText(/No retraining policy/)).toBeTruthy();
    expect(screen.getByText('Nothing yet')).toBeTruthy();
  });

  it('asks again on Refresh', async () => {
    const user = userEvent.setup();
    const { executeQuery } = renderTimeline({
      __typename: 'Model',
      id: 'm1',
      retrainPolicy: null,
      timeline: events,
    });
    const before = executeQuery.mock.calls.length;
    await user.click(screen.getByRole('button', { name: /Refresh/ }));
    expect(executeQuery.mock.calls.length).toBeGreaterThan(before);
  });

  it('describes triggers and tones kinds', () => {
    expect(describeTrigger({ minFeedbackRows: 500, maxInputDrift: 0.2, everySeconds: 3600 })).toBe(
      '500 new feedback rows or input drift above 0.2 or every 3600 s',
    );
    expect(kindTone('promotion.rolled_back')).toBe('danger');
    expect(kindTone('promotion.refused')).toBe('danger');
    expect(kindTone('training.succeeded')).toBe('success');
    expect(kindTone('promotion.cancelled')).toBe('warning');
    expect(kindTone('retrain.triggered')).toBe('primary');
    expect(kindTone('monitoring.inputDrift')).toBe('warning');
    expect(kindTone('feedback')).toBe('neutral');
  });
});
