'use client';
// A live line chart on uPlot (canvas, built for streaming series): created once per theme and
// options, then fed new data with setData, so growing series redraw without re-creating anything.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTheme } from '@/lib/theme';

export interface LineSeries {
  label: string;
  values: readonly (number | null)[];
  /** A theme colour token: chart-1 … chart-5. */
  color: `chart-${1 | 2 | 3 | 4 | 5}`;
  dashed?: boolean;
}

export interface LineChartProps {
  x: readonly number[];
  series: readonly LineSeries[];
  /** Seconds since the epoch on the x axis (formatted as times) instead of plain numbers. */
  time?: boolean;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (only positive values are drawn). */
  logY?: boolean;
  height?: number;
  /** Accessible summary: the chart itself is a canvas. */
  ariaLabel: string;
  formatY?: (value: number) => string;
  /** The legend under the chart (off for sparklines). */
  legend?: boolean;
}

function lastValue(values: uPlot.AlignedData[number] | undefined): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function LineChart({
  x,
  series,
  time = false,
  xLabel,
  yLabel,
  logY = false,
  height = 260,
  ariaLabel,
  formatY,
  legend = true,
}: LineChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const { resolved: theme } = useTheme();
  // Re-create only when the shape of the chart changes, not when values grow.
  const shape = series.map((s) => `${s.label}:${s.color}:${s.dashed ? 1 : 0}`).join('|');
  const data = useMemo<uPlot.AlignedData>(
    () => [
      Array.from(x),
      ...series.map((s) =>
        Array.from(s.values, (v) =>
          v === null || !Number.isFinite(v) || (logY && v <= 0) ? null : v,
        ),
      ),
    ],
    [x, series, logY],
  );
  const latestData = useRef(data);
  // Declared before the effect that creates the chart, so on mount it runs first and the new
  // chart starts from the current data; afterwards it feeds growing data to the live chart.
  useEffect(() => {
    latestData.current = data;
    chart.current?.setData(data);
  }, [data]);

  useEffect(() => {
    const target = container.current;
    if (!target) return;
    const muted = cssVar('--muted-foreground');
    const grid = cssVar('--border');
    const axis = (label?: string): uPlot.Axis => ({
      stroke: muted,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      label,
      labelSize: label ? 20 : 0,
      font: '11px system-ui, sans-serif',
      labelFont: '11px system-ui, sans-serif',
    });
    const opts: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height,
      scales: { x: { time }, y: logY ? { distr: 3 } : {} },
      axes: [
        axis(xLabel),
        {
          ...axis(yLabel),
          size: 60,
          values: formatY ? (_u, values) => values.map((v) => formatY(v)) : undefined,
        },
      ],
      legend: { show: legend, live: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        {
          label: xLabel ?? (time ? 'time' : 'x'),
          // Away from the cursor the legend shows the latest point rather than dashes.
          value: (u: uPlot, v: number | null) => {
            const shown = v ?? lastValue(u.data[0]);
            if (shown === null) return '—';
            return time ? new Date(shown * 1000).toLocaleTimeString() : String(shown);
          },
        },
        ...series.map((s, index) => ({
          label: s.label,
          stroke: cssVar(`--${s.color}`),
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: true,
          // Dots only while the series is short enough for them to read as points.
          points: { show: (u: uPlot) => u.data[0].length <= 30 },
          value: (u: uPlot, v: number | null) => {
            const shown = v ?? lastValue(u.data[index + 1]);
            if (shown === null) return '—';
            return formatY ? formatY(shown) : String(shown);
          },
        })),
      ],
    };
    const plot = new uPlot(opts, latestData.current, target);
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(200, target.clientWidth), height });
    });
    observer.observe(target);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shape` stands for `series`' layout
  }, [shape, theme, time, logY, height, xLabel, yLabel, formatY, legend]);

  return (
    <div
      ref={container}
      role="img"
      aria-label={ariaLabel}
      data-points={x.length}
      className="w-full min-w-0"
    />
  );
}
