import { formatMetric } from '@/lib/format';
import { cn } from '@/lib/cn';
import { contributionBars, methodLabel } from './explanation-bars';

interface Explanation {
  method: string;
  output: string | null;
  records: {
    baseline: number;
    contributions: { feature: string; value?: unknown; contribution: number }[];
  }[];
}

const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${formatMetric(Math.abs(v))}`;

/** `predict`'s explanation: one diverging bar chart of feature contributions per record. */
export function ExplanationChart({ explanation }: { explanation: Explanation }) {
  return (
    <section className="grid gap-3" aria-label="Explanation">
      <p className="text-xs text-muted-foreground">
        Contributions to the {explanation.output ?? 'output'}, {methodLabel(explanation.method)}:
        each record&apos;s bars add up to its output minus the baseline.
      </p>
      {explanation.records.map((record, r) => {
        const { bars, total } = contributionBars(record.contributions);
        return (
          <figure key={r} className="grid gap-2 rounded-lg border border-border p-3">
            <figcaption className="flex flex-wrap items-baseline justify-between gap-2 text-xs">
              <span className="font-medium">
                {explanation.records.length > 1 ? `Record ${r + 1}` : 'Record'}
              </span>
              <span className="tabular-nums text-muted-foreground" data-testid="explanation-sum">
                baseline {formatMetric(record.baseline)} {signed(total)} ={' '}
                {formatMetric(record.baseline + total)}
              </span>
            </figcaption>
            <ul className="grid gap-1.5" aria-label={`Contributions, record ${r + 1}`}>
              {bars.map((bar) => (
                <li
                  key={bar.feature}
                  className="grid grid-cols-[8rem_1fr_5rem] items-center gap-2 text-sm"
                  aria-label={`${bar.feature} = ${formatMetric(bar.value)}: ${signed(bar.contribution)}`}
                >
                  <span className="truncate font-mono text-xs" title={bar.feature}>
                    {bar.feature}{' '}
                    <span className="text-muted-foreground">{formatMetric(bar.value)}</span>
                  </span>
                  <span className="relative h-2.5 rounded-full bg-muted">
                    <span aria-hidden className="absolute inset-y-0 left-1/2 w-px bg-border" />
                    <span
                      data-testid="contribution-bar"
                      data-direction={bar.direction}
                      className={cn(
                        'absolute inset-y-0 rounded-full',
                        bar.direction === 'down' ? 'right-1/2 bg-chart-2' : 'left-1/2 bg-chart-1',
                      )}
                      style={{ width: `${bar.share * 50}%` }}
                    />
                  </span>
                  <span className="text-right text-xs tabular-nums">
                    {signed(bar.contribution)}
                  </span>
                </li>
              ))}
            </ul>
          </figure>
        );
      })}
    </section>
  );
}
