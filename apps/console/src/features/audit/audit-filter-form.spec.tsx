import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { emptyAuditFilter } from './audit-filter';
import { AuditFilterForm } from './audit-filter-form';

const actors = [
  { id: 'k1', name: 'admin-key' },
  { id: 'k2', name: 'ci' },
];

describe('AuditFilterForm', { timeout: 20_000 }, () => {
  it('applies action, outcome, actor and time range together', async () => {
    const user = userEvent.setup();
    const onApply = vi.fn();
    render(
      <AuditFilterForm
        value={emptyAuditFilter}
        onApply={onApply}
        actors={actors}
        workspaces={null}
      />,
    );
    expect(screen.queryByLabelText('Workspace')).toBeNull();
    await user.type(screen.getByLabelText('Action'), 'version.upload');
    await user.selectOptions(screen.getByLabelText('Outcome'), 'quota_exceeded');
    await user.selectOptions(screen.getByLabelText('Actor'), 'k2');
    await user.type(screen.getByLabelText('From'), '2025-06-01T08:00');
    expect(onApply).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    expect(onApply).toHaveBeenCalledWith({
      ...emptyAuditFilter,
      action: 'version.upload',
      outcome: 'quota_exceeded',
      actorId: 'k2',
      from: '2025-06-01T08:00',
    });
  });

  it('will not apply a range that ends before it starts', async () => {
    const user = userEvent.setup();
    const onApply = vi.fn();
    render(
      <AuditFilterForm
        value={emptyAuditFilter}
        onApply={onApply}
        actors={actors}
        workspaces={null}
      />,
    );
    await user.type(screen.getByLabelText('From'), '2025-06-02T08:00');
    await user.type(screen.getByLabelText('To'), '2025-06-01T08:00');
    expect(screen.getByText('Must be after "From".')).toBeTruthy();
    expect(screen.getByLabelText('To').getAttribute('aria-invalid')).toBe('true');
    const apply = screen.getByRole('button', { name: 'Apply' });
    expect(apply.hasAttribute('disabled')).toBe(true);
    await user.click(apply);
    expect(onApply).not.toHaveBeenCalled();
  });

  it('offers the workspaces to the root key, and clears everything', async () => {
    const user = userEvent.setup();
    const onApply = vi.fn();
    const value = { ...emptyAuditFilter, outcome: 'forbidden', workspaceId: 'ws-2' };
    render(
      <AuditFilterForm
        value={value}
        onApply={onApply}
        actors={actors}
        workspaces={[
          { id: 'ws-1', name: 'default' },
          { id: 'ws-2', name: 'team-b' },
        ]}
      />,
    );
    // The form shows the filter the page holds.
    expect(screen.getByLabelText<HTMLSelectElement>('Workspace').value).toBe('ws-2');
    expect(screen.getByLabelText<HTMLSelectElement>('Outcome').value).toBe('forbidden');
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(onApply).toHaveBeenCalledWith(emptyAuditFilter);
    expect(screen.getByLabelText<HTMLSelectElement>('Workspace').value).toBe('');
  });
});
