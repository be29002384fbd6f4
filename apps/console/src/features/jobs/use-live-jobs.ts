'use client';
// Jobs lists stay live: every `trainingJobsUpdated` event replaces that job's row in place; an
// event for a job the list does not hold (a new job) asks the caller to refetch.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import type { JobListFieldsFragment } from '@/gql/graphql';
import { TrainingJobsUpdatedSubscription } from '@/graphql/training';

/** `jobs` with the newest event of each applied; `onUnknownJob` fires (throttled) for new ones. */
export function useLiveJobs<T extends JobListFieldsFragment>(
  jobs: readonly T[],
  onUnknownJob: () => void,
): T[] {
  const [latest, setLatest] = useState<ReadonlyMap<string, JobListFieldsFragment>>(new Map());
  const known = useRef(new Set<string>());
  useEffect(() => {
    known.current = new Set(jobs.map((j) => j.id));
  }, [jobs]);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onUnknown = useRef(onUnknownJob);
  useEffect(() => {
    onUnknown.current = onUnknownJob;
  }, [onUnknownJob]);

  const handle = useCallback(
    (_prev: unknown, event: { trainingJobsUpdated: JobListFieldsFragment }) => {
      const job = event.trainingJobsUpdated;
      setLatest((map) => new Map(map).set(job.id, job));
      if (!known.current.has(job.id) && !pending.current) {
        pending.current = setTimeout(() => {
          pending.current = null;
          onUnknown.current();
        }, 500);
      }
      return event;
    },
    [],
  );
  useSubscription({ query: TrainingJobsUpdatedSubscription }, handle);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );

  return jobs.map((job) => {
    const update = latest.get(job.id);
    return update ? { ...job, ...update } : job;
  });
}
