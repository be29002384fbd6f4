'use client';
import { useId, useState } from 'react';
import { formatMetric } from '@/lib/format';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Select } from '@/components/ui/input';
import { comparableMetrics, metricSeries } from './metric-series';

const width = 280;
const height = 110;
const pad = { top: 10, right: 10, bottom: 20, left: 10 };

/** A metric plotted across versions, so a regression or an improvement shows at a glance. */
export function MetricTrend({
  versions,
  selected,
  onSelect,
}: {
  versions: readonly { version: number; metrics: unknown }[];
  selected: number | null;
  onSelect: (version: number) => void;
}) {
  const id = useId();
  const metrics = comparableMetrics(versions);
  const [chosen, setChosen] = useState<string | null>(null);
  const metric = chosen && metrics.includes(chosen) ? chosen : metrics[0];
  if (!metric) return null;
  const points = metricSeries(versions, metric);
  const values = points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || Math.abs(max) || 1;
  const x = (i: number) =>
    pad.left +
    (points.length === 1 ? 0.5 : i / (points.length - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - min) / span) * (height - pad.top - pad.bottom);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');

  return (
    <Card>
      <CardHeader
        title="Across versions"
        actions={
          <>
            <label htmlFor={id} className="sr-only">
              Metric
            </label>
            <Select
              id={id}
              className="h-8 w-32 text-xs"
              value={metric}
              onChange={(e) => setChosen(e.target.value)}
            >
              {metrics.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </Select>
          </>
        }
      />
      <CardBody>
        <svg
          viewBox={`0 0 ${width} ${height}`}
          className="w-full"
          role="img"
          aria-label={`${metric} by version: ${points.map((p) => `v${p.version} ${formatMetric(p.value)}`).join(', ')}`}
        >
          <path d={path} fill="none" className="stroke-chart-1" strokeWidth="2" />
          {points.map((p, i) => (
            <g key={p.version}>
              <circle
                cx={x(i)}
                cy={y(p.value)}
                r={p.version === selected ? 5 : 3.5}
                className={p.version === selected ? 'fill-primary' : 'fill-card stroke-chart-1'}
                strokeWidth="2"
                style={{ cursor: 'pointer' }}
                onClick={() => onSelect(p.version)}
              >
                <title>{`v${p.version}: ${metric} ${formatMetric(p.value)}`}</title>
              </circle>
              <text
                x={x(i)}
                y={height - 4}
                textAnchor="middle"
                className="fill-muted-foreground text-[9px]"
              >
                v{p.version}
              </text>
            </g>
          ))}
        </svg>
        <p className="mt-1 flex justify-between text-xs text-muted-foreground tabular-nums">
          <span>min {formatMetric(min)}</span>
          <span>max {formatMetric(max)}</span>
        </p>
      </CardBody>
    </Card>
  );
}
