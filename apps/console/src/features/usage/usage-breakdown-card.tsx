import type { CombinedError } from 'urql';
import { BarChart3, ShieldOff } from 'lucide-react';
import { describeError } from '@/lib/api-error';
import { formatCount, formatSeconds } from '@/lib/format';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { usageBreakdown, type UsageRecord } from './usage-series';

/**
 * Usage totals per model or per key over the page's window. Per-key figures are for admins: a
 * FORBIDDEN answer says so instead of showing an error.
 */
export function UsageBreakdownCard({
  title,
  description,
  nameHeader,
  result,
  by,
  className,
}: {
  title: string;
  description: string;
  nameHeader: string;
  result: {
    data?: { usage: UsageRecord[] } | undefined;
    fetching: boolean;
    error?: CombinedError | undefined;
  };
  by: 'model' | 'apiKey';
  className?: string;
}) {
  const error = describeError(result.error);
  const rows = usageBreakdown(result.data?.usage ?? [], by);
  return (
    <Card className={className} role="region" aria-label={title}>
      <CardHeader title={title} description={description} />
      <CardBody>
        {error?.code === 'FORBIDDEN' ? (
          <EmptyState
            icon={<ShieldOff />}
            title="Only admins see usage per key"
            description="Sign in with an ADMIN key of this workspace to see which key used what."
          />
        ) : (
          <>
            <ErrorMessage error={error} title={`Cannot load usage ${title.toLowerCase()}`} />
            {result.fetching && !result.data ? (
              <LoadingRows rows={3} label={`Loading usage ${title.toLowerCase()}`} />
            ) : rows.length === 0 ? (
              <EmptyState
                icon={<BarChart3 />}
                title="No usage in this window"
                description="Predictions, generated tokens and training time appear here once counted."
              />
            ) : (
              <Table>
                <THead>
                  <tr>
                    <Th>{nameHeader}</Th>
                    <Th className="text-right">Requests</Th>
                    <Th className="text-right">Prediction rows</Th>
                    <Th className="text-right">Prompt tokens</Th>
                    <Th className="text-right">Generated tokens</Th>
                    <Th className="text-right">Training time</Th>
                  </tr>
                </THead>
                <TBody>
                  {rows.map((row) => (
                    <Tr key={row.id}>
                      <Td className="font-medium">{row.name}</Td>
                      <Td className="text-right tabular-nums">{formatCount(row.requests)}</Td>
                      <Td className="text-right tabular-nums">{formatCount(row.predictionRows)}</Td>
                      <Td className="text-right tabular-nums">{formatCount(row.promptTokens)}</Td>
                      <Td className="text-right tabular-nums">
                        {formatCount(row.completionTokens)}
                      </Td>
                      <Td className="text-right tabular-nums">
                        {formatSeconds(row.trainingSeconds)}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            )}
          </>
        )}
      </CardBody>
    </Card>
  );
}
