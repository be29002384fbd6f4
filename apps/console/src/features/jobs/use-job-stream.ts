'use client';
// One job, live: the first query, then `trainingJobUpdated` events, then history increments
// (`history(afterEpoch:)`) whenever an event says more epochs finished.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useClient, useQuery, useSubscription } from 'urql';
import type { JobDetailFieldsFragment } from '@/gql/graphql';
import {
  TrainingJobDetailQuery,
  TrainingJobHistoryQuery,
  TrainingJobUpdatedSubscription,
} from '@/graphql/training';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import {
  initialJobStream,
  jobStreamReducer,
  lastEpoch,
  needsHistory,
  type JobStreamState,
} from './job-stream';

export interface JobStream extends JobStreamState {
  fetching: boolean;
  error: ApiErrorInfo | null;
  /** True once the query answered that no such job exists. */
  notFound: boolean;
}

export function useJobStream(id: string): JobStream {
  const client = useClient();
  const [state, dispatch] = useReducer(jobStreamReducer, initialJobStream);
  const [{ data, fetching, error }] = useQuery({
    query: TrainingJobDetailQuery,
    variables: { id },
    requestPolicy: 'network-only',
  });

  useEffect(() => {
    const job = data?.trainingJob;
    if (job) dispatch({ type: 'loaded', job, history: job.history });
  }, [data]);

  const onEvent = useCallback(
    (_prev: unknown, event: { trainingJobUpdated: JobDetailFieldsFragment }) => {
      dispatch({ type: 'event', job: event.trainingJobUpdated });
      return event;
    },
    [],
  );
  const [subscription] = useSubscription(
    { query: TrainingJobUpdatedSubscription, variables: { id } },
    onEvent,
  );

  // Fetch the epochs an event announced; one request at a time, from the last epoch held.
  const loading = useRef(false);
  const want = needsHistory(state);
  const after = lastEpoch(state);
  useEffect(() => {
    if (!want || loading.current) return;
    loading.current = true;
    void client
      .query(TrainingJobHistoryQuery, { id, afterEpoch: after }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        loading.current = false;
        const epochs = result.data?.trainingJob?.history;
        if (epochs?.length) dispatch({ type: 'history', epochs });
      });
  }, [client, id, want, after]);

  return {
    ...state,
    fetching,
    error: describeError(error ?? subscription.error),
    notFound: Boolean(data && !data.trainingJob),
  };
}
