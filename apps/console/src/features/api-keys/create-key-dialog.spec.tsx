import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { CreateKeyDialog } from './create-key-dialog';

const created = {
  createApiKey: {
    secret: 'maas_k2_s3cr3t',
    apiKey: {
      id: 'k2',
      name: 'ci',
      role: 'EDITOR',
      createdAt: '2025-01-01T00:00:00Z',
      lastUsedAt: null,
      revokedAt: null,
      workspace: { id: 'ws-1', name: 'acme' },
    },
  },
};

describe('CreateKeyDialog', () => {
  it('creates a key and shows its secret once, with a copy button', async () => {
    const user = userEvent.setup();
    const mutate = vi.fn(() => ({ data: created }));
    const { client } = fakeClient({ mutate });
    render(
      <Provider value={client}>
        <CreateKeyDialog workspaces={null} currentWorkspaceId="ws-1" />
      </Provider>,
    );
    await user.click(screen.getByRole('button', { name: 'New key' }));
    expect(screen.queryByLabelText('Workspace')).toBeNull();
    await user.type(screen.getByLabelText('Name'), 'ci');
    await user.selectOptions(screen.getByLabelText('Role'), 'EDITOR');
    await user.click(screen.getByRole('button', { name: 'Create key' }));

    expect(mutate).toHaveBeenCalledWith('CreateApiKey', {
      name: 'ci',
      role: 'EDITOR',
      workspaceId: null,
    });
    expect((await screen.findByLabelText<HTMLInputElement>('Secret')).value).toBe('maas_k2_s3cr3t');
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();

    // Closed and opened again: the secret is gone for good.
    await user.click(screen.getByRole('button', { name: 'Done' }));
    await user.click(screen.getByRole('button', { name: 'New key' }));
    expect(screen.queryByText('maas_k2_s3cr3t')).toBeNull();
    expect(screen.queryByLabelText('Secret')).toBeNull();
  });

  it('lets the root key choose the workspace', async () => {
    const user = userEvent.setup();
    const mutate = vi.fn(() => ({ data: created }));
    const { client } = fakeClient({ mutate });
    render(
      <Provider value={client}>
        <CreateKeyDialog
          workspaces={[
            { id: 'ws-1', name: 'default' },
            { id: 'ws-2', name: 'team-b' },
          ]}
          currentWorkspaceId="ws-1"
        />
      </Provider>,
    );
    await user.click(screen.getByRole('button', { name: 'New key' }));
    await user.type(screen.getByLabelText('Name'), 'b-admin');
    await user.selectOptions(screen.getByLabelText('Workspace'), 'ws-2');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(mutate).toHaveBeenCalledWith('CreateApiKey', {
      name: 'b-admin',
      role: 'VIEWER',
      workspaceId: 'ws-2',
    });
  });
});
