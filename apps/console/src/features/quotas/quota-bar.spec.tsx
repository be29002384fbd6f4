import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { quotaDefinitions, quotaLevel, type QuotaLine } from './quota';
import { QuotaBar } from './quota-bar';

function line(quota: string, used: number, limit: number | null): QuotaLine {
  const definition = quotaDefinitions.find((d) => d.quota === quota);
  if (!definition) throw new Error(quota);
  return { definition, used, limit, level: quotaLevel(used, limit) };
}

/** The filled part of the bar. */
function fill(): HTMLElement {
  const bar = screen.getByRole('progressbar');
  return bar.firstElementChild as HTMLElement;
}

describe('QuotaBar', () => {
  it('shows usage against the limit in the primary colour well below it', () => {
    render(<QuotaBar line={line('maxStorageBytes', 512 * 1024 ** 2, 2 * 1024 ** 3)} />);
    expect(screen.getByText('Storage')).toBeTruthy();
    expect(screen.getByText(/512 MB/).textContent).toBe('512 MB');
    expect(screen.getByText(/of 2\.00 GB · 25%/)).toBeTruthy();
    const bar = screen.getByRole('progressbar', { name: 'Storage: 512 MB of 2.00 GB' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(fill().className).toContain('bg-primary');
  });

  it('turns amber near the limit and red at it', () => {
    const { unmount } = render(<QuotaBar line={line('maxModels', 8, 10)} />);
    expect(fill().className).toContain('bg-warning');
    unmount();
    render(<QuotaBar line={line('maxModels', 10, 10)} />);
    expect(fill().className).toContain('bg-destructive');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('says unlimited and draws no bar without a limit', () => {
    render(<QuotaBar line={line('maxPredictionsPerDay', 1234, null)} />);
    expect(screen.getByText(/of unlimited/)).toBeTruthy();
    expect(screen.getByText('1,234')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});
