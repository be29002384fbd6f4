import { render, screen } from '@testing-library/react';
import type { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { UsageBreakdownCard } from './usage-breakdown-card';
import type { UsageRecord } from './usage-series';

const apiKey = (id: string, name: string) => ({ __typename: 'ApiKey' as const, id, name });

function record(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    start: '2025-06-01T00:00:00Z',
    apiKey: null,
    model: null,
    deployment: null,
    requests: 0,
    predictionRows: 0,
    promptTokens: 0,
    completionTokens: 0,
    trainingSeconds: 0,
    ...overrides,
  };
}

const props = {
  title: 'By API key',
  description: 'Totals per key',
  nameHeader: 'Key',
  by: 'apiKey' as const,
};

describe('UsageBreakdownCard', () => {
  it('lists totals per key, busiest first', () => {
    render(
      <UsageBreakdownCard
        {...props}
        result={{
          fetching: false,
          data: {
            usage: [
              record({ apiKey: apiKey('k1', 'ci'), requests: 3, predictionRows: 300 }),
              record({ apiKey: apiKey('k2', 'app'), requests: 1200, predictionRows: 2400 }),
              record({ apiKey: apiKey('k1', 'ci'), requests: 4, trainingSeconds: 90 }),
            ],
          },
        }}
      />,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['app', '1,200', '2,400', '0', '0', '0 s'],
      ['ci', '7', '300', '0', '0', '1.5 min'],
    ]);
  });

  it('says per-key figures are for admins when the API answers FORBIDDEN', () => {
    const forbidden = {
      name: 'CombinedError',
      message: '[GraphQL] Usage per API key needs an ADMIN key',
      graphQLErrors: [
        { message: 'Usage per API key needs an ADMIN key', extensions: { code: 'FORBIDDEN' } },
      ],
    } as unknown as CombinedError;
    render(<UsageBreakdownCard {...props} result={{ fetching: false, error: forbidden }} />);
    expect(screen.getByText('Only admins see usage per key')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
