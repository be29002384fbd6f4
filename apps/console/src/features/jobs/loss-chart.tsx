'use client';
import { useId, useMemo, useState } from 'react';
import type { EpochFieldsFragment } from '@/gql/graphql';
import { formatMetric } from '@/lib/format';
import { LineChart } from '@/components/charts/line-chart';

/** Training and validation loss per epoch; grows as epochs arrive. */
export function LossChart({
  history,
  epochs,
}: {
  history: readonly EpochFieldsFragment[];
  epochs: number;
}) {
  const id = useId();
  const [logY, setLogY] = useState(false);
  const hasValidation = history.some((e) => e.validationLoss !== null);
  const x = useMemo(() => history.map((e) => e.epoch), [history]);
  const series = useMemo(
    () => [
      { label: 'loss', values: history.map((e) => e.loss), color: 'chart-1' as const },
      ...(hasValidation
        ? [
            {
              label: 'validation loss',
              values: history.map((e) => e.validationLoss),
              color: 'chart-2' as const,
              dashed: true,
            },
          ]
        : []),
    ],
    [history, hasValidation],
  );
  const last = history[history.length - 1];
  return (
    <div className="grid gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-muted-foreground">
        <span aria-live="polite">
          {last
            ? `Epoch ${last.epoch}: loss ${formatMetric(last.loss)}${last.validationLoss !== null ? `, validation ${formatMetric(last.validationLoss)}` : ''}`
            : 'Waiting for the first epoch…'}
        </span>
        <label htmlFor={id} className="flex items-center gap-1.5">
          <input
            id={id}
            type="checkbox"
            checked={logY}
            onChange={(e) => setLogY(e.target.checked)}
            className="accent-primary"
          />
          Log scale
        </label>
      </div>
      <LineChart
        x={x}
        series={series}
        xLabel="epoch"
        logY={logY}
        height={280}
        ariaLabel={`Loss by epoch, ${history.length} of ${epochs} epochs${last ? `, last loss ${formatMetric(last.loss)}` : ''}`}
        formatY={formatMetric}
      />
    </div>
  );
}
