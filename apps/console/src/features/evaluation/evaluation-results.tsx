import { formatMetric } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { FeatureImportanceBars } from '../models/feature-importance';
import {
  RESIDUAL_KEYS,
  bestVersions,
  confusionOf,
  deltas,
  evaluationRows,
  importanceOf,
  metricColumns,
  residualsOf,
} from './evaluation-table';

interface ResultsInput {
  comparison: unknown;
  results: readonly {
    metrics: unknown;
    details: unknown;
    version: { id: string; version: number };
  }[];
}

/**
 * An evaluation's results side by side: versions × metrics (the best marked, each against the
 * first version), then each version's confusion matrix or residuals, and its feature importance.
 */
export function EvaluationResults({ job }: { job: ResultsInput }) {
  const rows = evaluationRows(job.results);
  const metrics = metricColumns(rows);
  const best = bestVersions(job.comparison);
  const delta = deltas(job.comparison);
  const baseline = rows[0];
  if (!baseline) return <p className="text-sm text-muted-foreground">No results yet.</p>;
  return (
    <div className="grid gap-5">
      <Table aria-label="Metrics by version">
        <THead>
          <Tr>
            <Th>Version</Th>
            {metrics.map((m) => (
              <Th key={m} className="text-right">
                {m}
              </Th>
            ))}
          </Tr>
        </THead>
        <TBody>
          {rows.map((row) => (
            <Tr key={row.versionId}>
              <Td className="font-medium">
                v{row.version}
                {row === baseline ? (
                  <span className="ml-2 text-xs text-muted-foreground">baseline</span>
                ) : null}
              </Td>
              {metrics.map((m) => {
                const value = row.metrics[m];
                const change = delta.get(row.versionId)?.[m];
                return (
                  <Td key={m} className="text-right font-mono text-xs tabular-nums">
                    {value === undefined ? '—' : formatMetric(value)}
                    {row !== baseline && change !== undefined ? (
                      <span className="ml-1 text-muted-foreground">
                        ({change >= 0 ? '+' : ''}
                        {formatMetric(change)})
                      </span>
                    ) : null}
                    {rows.length > 1 && best[m] === row.versionId ? (
                      <Badge tone="success" className="ml-1">
                        best
                      </Badge>
                    ) : null}
                  </Td>
                );
              })}
            </Tr>
          ))}
        </TBody>
      </Table>

      <div className="grid gap-4 md:grid-cols-2">
        {rows.map((row) => {
          const confusion = confusionOf(row.details);
          const residuals = residualsOf(row.details);
          const importance = importanceOf(row.details);
          const rowCount = typeof row.details.rows === 'number' ? row.details.rows : null;
          return (
            <section
              key={row.versionId}
              aria-label={`Version ${row.version} details`}
              className="grid content-start gap-3 rounded-lg border border-border p-3"
            >
              <h4 className="text-sm font-medium">
                v{row.version}
                {rowCount !== null ? (
                  <span className="ml-2 text-xs font-normal text-muted-foreground">
                    {formatMetric(rowCount)} rows
                  </span>
                ) : null}
              </h4>
              {confusion ? (
                <Table aria-label={`Confusion matrix of version ${row.version}`}>
                  <THead>
                    <Tr>
                      <Th>actual \ predicted</Th>
                      {confusion.labels.map((l) => (
                        <Th key={l} className="text-right">
                          {l}
                        </Th>
                      ))}
                    </Tr>
                  </THead>
                  <TBody>
                    {confusion.matrix.map((counts, a) => (
                      <Tr key={confusion.labels[a]}>
                        <Th scope="row">{confusion.labels[a]}</Th>
                        {counts.map((n, p) => (
                          <Td
                            key={confusion.labels[p]}
                            className={
                              a === p
                                ? 'text-right font-mono font-semibold tabular-nums'
                                : 'text-right font-mono tabular-nums'
                            }
                          >
                            {n.toLocaleString('en')}
                          </Td>
                        ))}
                      </Tr>
                    ))}
                  </TBody>
                </Table>
              ) : null}
              {residuals ? (
                <dl
                  aria-label={`Residuals of version ${row.version}`}
                  className="grid grid-cols-2 gap-x-3 gap-y-1 text-xs sm:grid-cols-3"
                >
                  {RESIDUAL_KEYS.map((k) => (
                    <div
                      key={k}
                      className="flex justify-between gap-2 border-b border-border py-0.5"
                    >
                      <dt className="text-muted-foreground">{k}</dt>
                      <dd className="font-mono whitespace-nowrap tabular-nums">
                        {formatMetric(residuals[k])}
                      </dd>
                    </div>
                  ))}
                </dl>
              ) : null}
              {importance.length ? (
                <FeatureImportanceBars
                  importance={importance}
                  label={`Feature importance of version ${row.version}`}
                />
              ) : null}
            </section>
          );
        })}
      </div>
    </div>
  );
}
