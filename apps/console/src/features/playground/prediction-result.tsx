import Link from 'next/link';
import type { PredictQuery } from '@/gql/graphql';
import { formatMetric, formatMs } from '@/lib/format';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ExplanationChart } from './explanation-chart';
import { readPredictions } from './predict-input';

type Prediction = PredictQuery['predict'];

/** What `predict` answered: the version that served, latency, and outputs as numbers or bars. */
export function PredictionResult({ prediction }: { prediction: Prediction }) {
  const { predictions, probabilities } = readPredictions(prediction.outputs);
  const model = prediction.modelVersion.model.name;
  return (
    <Card>
      <CardHeader
        title="Result"
        description={
          <>
            Served by{' '}
            <Link
              className="text-primary hover:underline"
              href={`/models/${encodeURIComponent(model)}?version=${prediction.modelVersion.version}`}
            >
              {model} v{prediction.modelVersion.version}
            </Link>{' '}
            in <span className="tabular-nums">{formatMs(prediction.latencyMs)}</span>
          </>
        }
      />
      <CardBody className="grid gap-4">
        {predictions ? (
          <ol className="grid gap-3" aria-label="Predictions">
            {predictions.map((p, i) => (
              <li key={i} className="rounded-lg border border-border p-3">
                <div className="flex items-baseline justify-between gap-3">
                  <span className="text-xs text-muted-foreground">
                    {predictions.length > 1 ? `Record ${i + 1}` : 'Prediction'}
                  </span>
                  <span className="font-mono text-xl font-semibold" data-testid="prediction-value">
                    {formatMetric(p)}
                  </span>
                </div>
                {probabilities?.[i] ? <ProbabilityBars probabilities={probabilities[i]} /> : null}
              </li>
            ))}
          </ol>
        ) : null}
        {prediction.explanation ? <ExplanationChart explanation={prediction.explanation} /> : null}
        <details open={!predictions} className="group">
          <summary className="cursor-pointer text-sm font-medium text-muted-foreground hover:text-foreground">
            Raw outputs
          </summary>
          <pre
            className="mt-2 max-h-96 overflow-auto rounded-lg bg-muted p-3 font-mono text-xs"
            data-testid="raw-outputs"
          >
            {JSON.stringify(prediction.outputs, null, 2)}
          </pre>
        </details>
      </CardBody>
    </Card>
  );
}

function ProbabilityBars({ probabilities }: { probabilities: Record<string, number> }) {
  const entries = Object.entries(probabilities).sort((a, b) => b[1] - a[1]);
  return (
    <ul className="mt-3 grid gap-1.5" aria-label="Class probabilities">
      {entries.map(([label, p], i) => (
        <li key={label} className="grid grid-cols-[6rem_1fr_3.5rem] items-center gap-2 text-sm">
          <span className="truncate font-mono text-xs" title={label}>
            {label}
          </span>
          <span className="h-2.5 overflow-hidden rounded-full bg-muted">
            <span
              className={`block h-full rounded-full ${i === 0 ? 'bg-primary' : 'bg-muted-foreground/40'}`}
              style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }}
            />
          </span>
          <span className="text-right text-xs tabular-nums">{(p * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}
