import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { ToastProvider } from '@/components/ui/toast';
import { QuotaDialog } from './quota-dialog';

const quota = {
  __typename: 'Quota' as const,
  maxModels: 10,
  maxVersionsPerModel: null,
  maxStorageBytes: 2 * 1024 ** 3,
  maxDatasetBytes: null,
  maxConcurrentJobs: 2,
  maxQueuedJobs: null,
  maxPredictionsPerDay: null,
  maxTokensPerDay: null,
  requestsPerSecond: null,
};
const workspace = { id: 'ws-2', name: 'team-b', quota };

function renderDialog(mutate: (name: string, variables: unknown) => object) {
  const { client } = fakeClient({ mutate: vi.fn(mutate) });
  render(
    <Provider value={client}>
      <ToastProvider>
        <QuotaDialog workspace={workspace} />
      </ToastProvider>
    </Provider>,
  );
  return client;
}

const saved = (quotaInput: object) => ({
  data: {
    setWorkspaceQuota: {
      id: 'ws-2',
      name: 'team-b',
      quota: { ...quota, ...quotaInput },
      usage: {
        models: 0,
        storageBytes: 0,
        datasetBytes: 0,
        runningJobs: 0,
        queuedJobs: 0,
        predictionsToday: 0,
        tokensToday: 0,
      },
    },
  },
});

// Typing into nine fields takes seconds in jsdom on a busy machine: more than the 5 s default.
describe('QuotaDialog', { timeout: 20_000 }, () => {
  it('shows the current quotas and sends every quota, empty ones as unlimited', async () => {
    const user = userEvent.setup();
    const mutate = vi.fn((_name: string, variables: unknown) =>
      saved((variables as { quota: object }).quota),
    );
    renderDialog(mutate);
    await user.click(screen.getByRole('button', { name: 'Set quotas of team-b' }));
    expect(screen.getByLabelText<HTMLInputElement>('Models').value).toBe('10');
    expect(screen.getByLabelText<HTMLInputElement>('Storage').value).toBe('2 GB');
    expect(screen.getByLabelText<HTMLInputElement>('Datasets').value).toBe('');
    expect(screen.getByLabelText<HTMLInputElement>('Datasets').placeholder).toBe('unlimited');

    await user.clear(screen.getByLabelText('Models'));
    await user.clear(screen.getByLabelText('Storage'));
    await user.type(screen.getByLabelText('Storage'), '500 MB');
    await user.type(screen.getByLabelText('Predictions today'), '100000');
    await user.click(screen.getByRole('button', { name: 'Save quotas' }));

    expect(mutate).toHaveBeenCalledWith('SetWorkspaceQuota', {
      workspaceId: 'ws-2',
      quota: {
        maxModels: null,
        maxVersionsPerModel: null,
        maxStorageBytes: 500 * 1024 ** 2,
        maxDatasetBytes: null,
        maxConcurrentJobs: 2,
        maxQueuedJobs: null,
        maxPredictionsPerDay: 100_000,
        maxTokensPerDay: null,
        requestsPerSecond: null,
      },
    });
    expect(await screen.findByText('Quotas of team-b saved.')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('refuses what is not a size or a whole number before asking the API', async () => {
    const user = userEvent.setup();
    const mutate = vi.fn(() => ({}));
    renderDialog(mutate);
    await user.click(screen.getByRole('button', { name: 'Set quotas of team-b' }));
    await user.type(screen.getByLabelText('Datasets'), 'a lot');
    await user.type(screen.getByLabelText('Queued jobs'), '2.5');
    await user.click(screen.getByRole('button', { name: 'Save quotas' }));
    expect(mutate).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Datasets').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/A size such as 500 MB/)).toBeTruthy();
    expect(screen.getByText(/A whole number of 0 or more/)).toBeTruthy();
  });

  it("shows the API's BAD_USER_INPUT at the field it names", async () => {
    const user = userEvent.setup();
    renderDialog(() => ({
      error: {
        name: 'CombinedError',
        message: '[GraphQL] maxConcurrentJobs must be at least 1',
        graphQLErrors: [
          {
            message: 'maxConcurrentJobs must be at least 1',
            extensions: { code: 'BAD_USER_INPUT', field: 'maxConcurrentJobs' },
          },
        ],
      },
    }));
    await user.click(screen.getByRole('button', { name: 'Set quotas of team-b' }));
    await user.clear(screen.getByLabelText('Running jobs'));
    await user.type(screen.getByLabelText('Running jobs'), '0');
    await user.click(screen.getByRole('button', { name: 'Save quotas' }));
    expect(await screen.findByText('maxConcurrentJobs must be at least 1')).toBeTruthy();
    expect(screen.getByLabelText('Running jobs').getAttribute('aria-invalid')).toBe('true');
    // Still open, for a correction.
    expect(screen.getByRole('dialog')).toBeTruthy();
  });
});
