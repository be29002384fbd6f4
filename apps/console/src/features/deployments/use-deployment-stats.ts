'use client';
// A deployment's serving stats, live: the current snapshot at once, then every push of
// `deploymentStatsUpdated`, accumulated into a short time series for the charts.
import { useCallback, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import type { DeploymentStatsFieldsFragment } from '@/gql/graphql';
import { DeploymentStatsQuery, DeploymentStatsUpdatedSubscription } from '@/graphql/serving';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { appendStats, type StatsPoint } from './stats-series';

export function useDeploymentStats(
  name: string,
  windowSeconds = 60,
): {
  latest: DeploymentStatsFieldsFragment | null;
  series: StatsPoint[];
  error: ApiErrorInfo | null;
} {
  const [series, setSeries] = useState<StatsPoint[]>([]);
  const [pushed, setPushed] = useState<DeploymentStatsFieldsFragment | null>(null);
  const [first] = useQuery({ query: DeploymentStatsQuery, variables: { name, windowSeconds } });
  const initial = first.data?.deploymentStats ?? null;
  const [seeded, setSeeded] = useState<string | null>(null);
  // Seed the series with the first snapshot once (state adjusted during render, not in an effect).
  if (initial && seeded !== initial.at) {
    setSeeded(initial.at);
    setSeries((s) => appendStats(s, initial));
  }

  const onPush = useCallback(
    (_prev: unknown, event: { deploymentStatsUpdated: DeploymentStatsFieldsFragment }) => {
      setPushed(event.deploymentStatsUpdated);
      setSeries((s) => appendStats(s, event.deploymentStatsUpdated));
      return event;
    },
    [],
  );
  const [live] = useSubscription(
    { query: DeploymentStatsUpdatedSubscription, variables: { name, windowSeconds } },
    onPush,
  );
  return { latest: pushed ?? initial, series, error: describeError(first.error ?? live.error) };
}
