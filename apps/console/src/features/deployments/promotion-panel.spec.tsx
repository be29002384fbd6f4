import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider, type OperationResult } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { make, type Source } from 'wonka';
import { fakeClient } from '@/test/fake-api';
import { parseWeights, PromotionPanel } from './promotion-panel';

const versions = [
  { id: 'v1', version: 1 },
  { id: 'v2', version: 2 },
];

type Step = {
  weight: number;
  startedAt?: string | null;
  requests?: number;
  errors?: number;
  errorRate?: number | null;
  outcome?: string | null;
};

function promotion(status: string, steps: Step[], reason: string | null = null) {
  return {
    __typename: 'Promotion',
    id: 'p1',
    status,
    reason,
    forced: false,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    candidate: { __typename: 'ModelVersion', id: 'v2', version: 2 },
    champion: { __typename: 'ModelVersion', id: 'v1', version: 1 },
    steps: steps.map((s) => ({
      __typename: 'PromotionStep',
      weight: s.weight,
      minRequests: 20,
      minSeconds: 0,
      startedAt: s.startedAt ?? null,
      endedAt: null,
      requests: s.requests ?? 0,
      errors: s.errors ?? 0,
      errorRate: s.errorRate ?? null,
      p99LatencyMs: s.requests ? 3.2 : null,
      outcome: s.outcome ?? null,
    })),
  };
}

const T = '2026-12-01T00:00:01Z';

function renderPanel(
  initial: ReturnType<typeof promotion> | null,
  canEdit = true,
  onRoutesMoved?: () => void,
  onLive?: (live: boolean) => void,
) {
  let push: (answer: Partial<OperationResult>) => void = () => undefined;
  const subscribe = vi.fn(
    (): Source<Partial<OperationResult>> =>
      make((observer) => {
        push = (answer) => observer.next(answer);
        return () => undefined;
      }),
  );
  const mutate = vi.fn((name: string) => {
    if (name === 'ApprovePromotion')
      return {
        data: {
          approvePromotion: promotion('ROLLING_OUT', [
            { weight: 10, startedAt: T },
            { weight: 100 },
          ]),
        },
      };
    if (name === 'CancelPromotion')
      return {
        data: { cancelPromotion: promotion('CANCELLED', [{ weight: 10 }, { weight: 100 }]) },
      };
    return {
      data: {
        promote: promotion('ROLLING_OUT', [{ weight: 25, startedAt: T }, { weight: 100 }]),
      },
    };
  });
  const { client } = fakeClient({
    query: (name) =>
      name === 'DeploymentPromotions'
        ? { data: { promotions: initial ? [initial] : [] } }
        : undefined,
    mutate,
    subscribe,
  });
  render(
    <Provider value={client}>
      <PromotionPanel
        deploymentName="prices"
        versions={versions}
        servingVersionIds={['v1']}
        canEdit={canEdit}
        onRoutesMoved={onRoutesMoved}
        onLive={onLive}
      />
    </Provider>,
  );
  return { push: (a: Partial<OperationResult>) => act(() => push(a)), subscribe, mutate };
}

const stepOf = (n: number, weight: number) => screen.getByLabelText(`Step ${n}: ${weight}%`);

describe('PromotionPanel', () => {
  it('advances live as the subscription pushes the steps, to completion', () => {
    const { push, subscribe } = renderPanel(
      promotion('ROLLING_OUT', [
        { weight: 10, startedAt: T, requests: 4 },
        { weight: 50 },
        { weight: 100 },
      ]),
    );
    expect(subscribe).toHaveBeenCalledWith('PromotionUpdated', { id: 'p1' });
    expect(stepOf(1, 10).dataset.state).toBe('running');
    expect(within(stepOf(1, 10)).getByText('4 / 20 requests')).toBeTruthy();
    expect(within(stepOf(1, 10)).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('20');
    expect(stepOf(2, 50).dataset.state).toBe('pending');

    push({
      data: {
        promotionUpdated: promotion('ROLLING_OUT', [
          { weight: 10, startedAt: T, requests: 21, errorRate: 0, outcome: 'passed' },
          { weight: 50, startedAt: T, requests: 7 },
          { weight: 100 },
        ]),
      },
    });
    expect(stepOf(1, 10).dataset.state).toBe('passed');
    expect(stepOf(2, 50).dataset.state).toBe('running');
    expect(within(stepOf(1, 10)).getByText('error rate 0.0%')).toBeTruthy();

    push({
      data: {
        promotionUpdated: promotion('COMPLETED', [
          { weight: 10, startedAt: T, requests: 21, errorRate: 0, outcome: 'passed' },
          { weight: 50, startedAt: T, requests: 20, errorRate: 0, outcome: 'passed' },
          { weight: 100, startedAt: T, requests: 22, errorRate: 0, outcome: 'passed' },
        ]),
      },
    });
    expect(screen.getByTestId('promotion').dataset.status).toBe('COMPLETED');
    expect(screen.getByLabelText('Promotion status').textContent).toMatch(/completed/i);
    // Final: no cancel button, and the form to start the next one is back.
    expect(screen.queryByRole('button', { name: 'Cancel promotion' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Start promotion' })).toBeTruthy();
  });

  it('tells the page to reload the routes when a step starts and when the promotion ends, not on figures', () => {
    const moved = vi.fn();
    const steps = (first: Step, second: Step): Step[] => [first, second, { weight: 100 }];
    const { push } = renderPanel(
      promotion('ROLLING_OUT', steps({ weight: 10, startedAt: T }, { weight: 50 })),
      true,
      moved,
    );
    // The routes loaded with the page are the step's.
    expect(moved).not.toHaveBeenCalled();
    const pushed = (status: string, list: Step[]) =>
      push({ data: { promotionUpdated: promotion(status, list) } });
    pushed('ROLLING_OUT', steps({ weight: 10, startedAt: T, requests: 5 }, { weight: 50 }));
    expect(moved).not.toHaveBeenCalled();
    pushed(
      'ROLLING_OUT',
      steps(
        { weight: 10, startedAt: T, requests: 21, outcome: 'passed' },
        { weight: 50, startedAt: T },
      ),
    );
    expect(moved).toHaveBeenCalledTimes(1);
    pushed(
      'ROLLED_BACK',
      steps(
        { weight: 10, startedAt: T, requests: 21, outcome: 'passed' },
        { weight: 50, startedAt: T, requests: 20, errorRate: 0.5, outcome: 'rolled back' },
      ),
    );
    expect(moved).toHaveBeenCalledTimes(2);
  });

  it('says whether the promotion it shows is in progress (it owns the routes then)', () => {
    const live = vi.fn();
    const { push } = renderPanel(
      promotion('ROLLING_OUT', [{ weight: 10, startedAt: T }, { weight: 100 }]),
      true,
      undefined,
      live,
    );
    expect(live).toHaveBeenLastCalledWith(true);
    push({
      data: {
        promotionUpdated: promotion('CANCELLED', [
          { weight: 10, startedAt: T, outcome: 'cancelled' },
          { weight: 100 },
        ]),
      },
    });
    expect(live).toHaveBeenLastCalledWith(false);
  });

  it('shows a rollback with its measured error rate and reason', () => {
    const { push } = renderPanel(
      promotion('ROLLING_OUT', [{ weight: 10, startedAt: T }, { weight: 100 }]),
    );
    push({
      data: {
        promotionUpdated: promotion(
          'ROLLED_BACK',
          [
            {
              weight: 10,
              startedAt: T,
              requests: 20,
              errors: 9,
              errorRate: 0.45,
              outcome: 'rolled back',
            },
            { weight: 100 },
          ],
          "At 10% the candidate's error rate was 0.45 over 20 request(s), above maxErrorRate 0.2",
        ),
      },
    });
    expect(stepOf(1, 10).dataset.state).toBe('rolled back');
    expect(within(stepOf(1, 10)).getByText('error rate 45.0%')).toBeTruthy();
    expect(screen.getByTestId('promotion-reason').textContent).toContain('maxErrorRate 0.2');
  });

  it('approves a waiting promotion and cancels a running one', async () => {
    const user = userEvent.setup();
    const { mutate } = renderPanel(
      promotion('WAITING_FOR_APPROVAL', [{ weight: 10 }, { weight: 100 }]),
    );
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(mutate).toHaveBeenCalledWith('ApprovePromotion', { id: 'p1' });
    expect(stepOf(1, 10).dataset.state).toBe('running');
    await user.click(screen.getByRole('button', { name: 'Cancel promotion' }));
    expect(mutate).toHaveBeenLastCalledWith('CancelPromotion', { id: 'p1' });
    expect(screen.getByTestId('promotion').dataset.status).toBe('CANCELLED');
  });

  it('starts a promotion of a version not serving, with the steps typed', async () => {
    const user = userEvent.setup();
    const { mutate, subscribe } = renderPanel(null);
    // Only v2 is a candidate: v1 serves.
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['v2']);
    const steps = screen.getByLabelText('Steps (%)');
    await user.clear(steps);
    await user.type(steps, '25, 100');
    const requests = screen.getByLabelText('Requests per step');
    await user.clear(requests);
    await user.type(requests, '50');
    await user.click(screen.getByLabelText('Wait for approval'));
    await user.click(screen.getByRole('button', { name: 'Start promotion' }));
    expect(mutate).toHaveBeenCalledWith('Promote', {
      input: {
        deployment: 'prices',
        versionId: 'v2',
        policy: {
          steps: [
            { weight: 25, minRequests: 50 },
            { weight: 100, minRequests: 50 },
          ],
          requireApproval: true,
        },
      },
    });
    expect(stepOf(1, 25).dataset.state).toBe('running');
    expect(subscribe).toHaveBeenCalledWith('PromotionUpdated', { id: 'p1' });
  });

  it('offers no actions to a viewer', () => {
    renderPanel(promotion('WAITING_FOR_APPROVAL', [{ weight: 10 }, { weight: 100 }]), false);
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Start promotion' })).toBeNull();
  });
});

describe('parseWeights', () => {
  it('reads comma-separated whole numbers, and nothing else', () => {
    expect(parseWeights('10, 50,100')).toEqual([10, 50, 100]);
    expect(parseWeights('10, 5.5')).toBeNull();
    expect(parseWeights('')).toBeNull();
  });
});
