/** One feature's bar in a record's contribution chart. */
export interface ContributionBar {
  feature: string;
  value: unknown;
  contribution: number;
  /** Bar length as a share (0..1) of the half-width: the largest |contribution| fills it. */
  share: number;
  direction: 'up' | 'down' | 'none';
}

/**
 * A record's contributions as diverging bars, largest |contribution| first, scaled so that the
 * largest one fills half the chart (zero in the middle); also the sum the bars add up to.
 */
export function contributionBars(
  contributions: readonly { feature: string; value?: unknown; contribution: number }[],
): { bars: ContributionBar[]; total: number } {
  const largest = Math.max(0, ...contributions.map((c) => Math.abs(c.contribution)));
  const bars = contributions
    .map(
      (c): ContributionBar => ({
        feature: c.feature,
        value: c.value ?? null,
        contribution: c.contribution,
        share: largest > 0 ? Math.abs(c.contribution) / largest : 0,
        direction: c.contribution > 0 ? 'up' : c.contribution < 0 ? 'down' : 'none',
      }),
    )
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { bars, total: contributions.reduce((s, c) => s + c.contribution, 0) };
}

/** How the console names an explanation method. */
export function methodLabel(method: string): string {
  if (method === 'exact-linear') return 'exact (linear model)';
  if (method === 'sampling-shapley') return 'sampled Shapley values';
  return method;
}
