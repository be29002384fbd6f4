import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { contributionBars } from './explanation-bars';
import { ExplanationChart } from './explanation-chart';

const explanation = {
  method: 'exact-linear',
  output: 'prediction',
  records: [
    {
      baseline: 10,
      contributions: [
        { feature: 'rooms', value: 4, contribution: 2 },
        { feature: 'area', value: 92.5, contribution: -4 },
        { feature: 'city', value: 'Lyon', contribution: 0 },
      ],
    },
    { baseline: 10, contributions: [{ feature: 'rooms', value: 1, contribution: 0.5 }] },
  ],
};

describe('contributionBars', () => {
  it('sorts by size, scales the largest to the half-width and keeps the sign', () => {
    const { bars, total } = contributionBars(explanation.records[0]?.contributions ?? []);
    expect(bars.map((b) => [b.feature, b.share, b.direction])).toEqual([
      ['area', 1, 'down'],
      ['rooms', 0.5, 'up'],
      ['city', 0, 'none'],
    ]);
    expect(total).toBe(-2);
  });

  it('draws no bar when every contribution is zero', () => {
    expect(contributionBars([{ feature: 'x', contribution: 0 }]).bars[0]?.share).toBe(0);
  });
});

describe('ExplanationChart', () => {
  it('draws a diverging bar per feature and record, with the sum the bars add up to', () => {
    render(<ExplanationChart explanation={explanation} />);
    expect(screen.getByText(/exact \(linear model\)/)).toBeTruthy();
    const first = screen.getByRole('list', { name: 'Contributions, record 1' });
    const items = within(first).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('aria-label'))).toEqual([
      'area = 92.5: −4',
      'rooms = 4: +2',
      'city = Lyon: ±0',
    ]);
    const bars = within(first).getAllByTestId('contribution-bar');
    expect(bars.map((b) => [b.dataset.direction, b.style.width])).toEqual([
      ['down', '50%'],
      ['up', '25%'],
      ['none', '0%'],
    ]);
    expect(screen.getAllByTestId('explanation-sum').map((s) => s.textContent)).toEqual([
      'baseline 10 −2 = 8',
      'baseline 10 +0.5 = 10.5',
    ]);
    expect(screen.getByRole('list', { name: 'Contributions, record 2' })).toBeTruthy();
  });
});
