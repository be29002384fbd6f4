import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { RoutesEditor } from './routes-editor';

const saved = [
  { versionId: 'a', version: 1, weight: 80 },
  { versionId: 'b', version: 2, weight: 20 },
];
const versions = [
  { id: 'a', version: 1 },
  { id: 'b', version: 2 },
  { id: 'c', version: 3 },
];

function renderEditor(canEdit = true, lockedBy: string | null = null) {
  const mutate = vi.fn(() => ({ data: { updateDeploymentRoutes: { id: 'd1' } } }));
  const { client } = fakeClient({ mutate });
  render(
    <Provider value={client}>
      <RoutesEditor
        deploymentName="prices"
        saved={saved}
        versions={versions}
        canEdit={canEdit}
        lockedBy={lockedBy}
      />
    </Provider>,
  );
  return mutate;
}

describe('RoutesEditor', () => {
  it('moves traffic to the canary with the slider keys and saves the split', async () => {
    const user = userEvent.setup();
    const mutate = renderEditor();
    const slider = screen.getByRole('slider');
    expect(slider.getAttribute('aria-valuenow')).toBe('80');
    expect(slider.getAttribute('aria-valuetext')).toBe('version 1 80%, version 2 20%');
    slider.focus();
    await user.keyboard('{ArrowLeft}{ArrowLeft}{ArrowLeft}');
    expect(screen.getByLabelText<HTMLInputElement>('Version 2').value).toBe('23');
    await user.click(screen.getByRole('button', { name: 'Save routes' }));
    expect(mutate).toHaveBeenCalledWith('UpdateDeploymentRoutes', {
      name: 'prices',
      routes: [
        { versionId: 'a', weight: 77 },
        { versionId: 'b', weight: 23 },
      ],
    });
  });

  it('promotes the canary and rolls back in one click', async () => {
    const user = userEvent.setup();
    const mutate = renderEditor();
    await user.click(screen.getByRole('button', { name: 'Promote v2' }));
    expect(mutate).toHaveBeenLastCalledWith('UpdateDeploymentRoutes', {
      name: 'prices',
      routes: [{ versionId: 'b', weight: 100 }],
    });
    await user.click(screen.getByRole('button', { name: 'Roll back to v1' }));
    expect(mutate).toHaveBeenLastCalledWith('UpdateDeploymentRoutes', {
      name: 'prices',
      routes: [{ versionId: 'a', weight: 100 }],
    });
  });

  it('will not save weights that do not add up to 100', async () => {
    const user = userEvent.setup();
    const mutate = renderEditor();
    const weight = screen.getByLabelText('Version 1');
    await user.clear(weight);
    await user.type(weight, '70');
    expect(screen.getByText('Weights add up to 90%; they must add up to 100%.')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save routes' }).disabled).toBe(
      true,
    );
    expect(mutate).not.toHaveBeenCalled();
  });

  it('offers an editor no controls while a promotion owns the weights, and says why', () => {
    renderEditor(true, 'A promotion is in progress.');
    expect(screen.getByRole('img', { name: 'Traffic: version 1 80%, version 2 20%' })).toBeTruthy();
    expect(screen.getByTestId('routes-locked').textContent).toBe('A promotion is in progress.');
    expect(screen.queryByRole('slider')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows a viewer the split without controls', () => {
    renderEditor(false);
    expect(screen.getByRole('img', { name: 'Traffic: version 1 80%, version 2 20%' })).toBeTruthy();
    expect(screen.queryByRole('slider')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
