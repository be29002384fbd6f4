import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { AliasesCard } from './aliases-card';

vi.mock('next/link', () => ({
  default: ({ href, children }: { href: string; children: React.ReactNode }) => (
    <a href={href}>{children}</a>
  ),
}));

const aliases = [{ alias: 'production', version: { id: 'v1', version: 1 } }];

function renderCard(
  canEdit: boolean,
  mutate = vi.fn(() => ({ data: { setModelAlias: { alias: 'production' } } })),
) {
  const { client, executeMutation } = fakeClient({ mutate });
  render(
    <Provider value={client}>
      <AliasesCard
        modelId="m1"
        modelName="prices"
        aliases={aliases}
        versionNumbers={[3, 2, 1]}
        canEdit={canEdit}
      />
    </Provider>,
  );
  return { executeMutation, mutate };
}

describe('AliasesCard', () => {
  it('shows a viewer where each alias points, with nothing to change', () => {
    renderCard(false);
    const item = screen.getByRole('listitem');
    expect(item.textContent).toContain('production');
    expect(screen.getByRole('link', { name: 'v1' })).toBeTruthy();
    expect(screen.queryByRole('combobox')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('moves an alias to the chosen version', async () => {
    const user = userEvent.setup();
    const { mutate } = renderCard(true);
    await user.selectOptions(screen.getByLabelText('Version for production'), '3');
    await user.click(screen.getByRole('button', { name: 'Move production to v3' }));
    expect(mutate).toHaveBeenCalledWith('SetModelAlias', {
      modelId: 'm1',
      alias: 'production',
      version: 3,
    });
  });

  it("shows the API's message when the move is refused", async () => {
    const user = userEvent.setup();
    const refused = vi.fn(() => ({
      error: {
        name: 'CombinedError',
        message: '[GraphQL] Version 3 does not exist',
        graphQLErrors: [{ message: 'Version 3 does not exist', extensions: { code: 'NOT_FOUND' } }],
      },
    }));
    renderCard(true, refused as never);
    await user.selectOptions(screen.getByLabelText('Version for production'), '3');
    await user.click(screen.getByRole('button', { name: 'Move production to v3' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Version 3 does not exist');
    expect(alert.textContent).toContain('NOT_FOUND');
  });

  it('adds a new alias, suggesting staging once production exists', async () => {
    const user = userEvent.setup();
    const { mutate } = renderCard(true);
    expect(screen.getByLabelText<HTMLInputElement>('Alias').value).toBe('staging');
    await user.selectOptions(screen.getByLabelText('Version'), '2');
    await user.click(screen.getByRole('button', { name: 'Set alias' }));
    expect(mutate).toHaveBeenCalledWith('SetModelAlias', {
      modelId: 'm1',
      alias: 'staging',
      version: 2,
    });
  });
});
