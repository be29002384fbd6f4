// The state of one training job as the job page shows it, fed by three sources: the first
// query (job + whole history), `trainingJobUpdated` events (the job's current fields, in order,
// each with a sequence number) and `history(afterEpoch:)` increments fetched after an event
// says more epochs finished. Pure, so the ordering rules are tested without a server.
import type { EpochFieldsFragment, JobDetailFieldsFragment } from '@/gql/graphql';

export interface JobStreamState {
  job: JobDetailFieldsFragment | null;
  history: EpochFieldsFragment[];
}

export type JobStreamAction =
  | { type: 'loaded'; job: JobDetailFieldsFragment; history: EpochFieldsFragment[] }
  | { type: 'event'; job: JobDetailFieldsFragment }
  | { type: 'history'; epochs: EpochFieldsFragment[] };

export const initialJobStream: JobStreamState = { job: null, history: [] };

/** The last epoch the state holds, or 0 when none. */
export function lastEpoch(state: JobStreamState): number {
  return state.history[state.history.length - 1]?.epoch ?? 0;
}

/** Whether an event announced epochs that the history does not hold yet. */
export function needsHistory(state: JobStreamState): boolean {
  return state.job !== null && state.job.epoch > lastEpoch(state);
}

function appendEpochs(
  history: EpochFieldsFragment[],
  epochs: readonly EpochFieldsFragment[],
): EpochFieldsFragment[] {
  let last = history[history.length - 1]?.epoch ?? 0;
  const added: EpochFieldsFragment[] = [];
  for (const entry of [...epochs].sort((a, b) => a.epoch - b.epoch)) {
    if (entry.epoch > last) {
      added.push(entry);
      last = entry.epoch;
    }
  }
  return added.length ? [...history, ...added] : history;
}

export function jobStreamReducer(state: JobStreamState, action: JobStreamAction): JobStreamState {
  switch (action.type) {
    case 'loaded': {
      // A reload (or a re-read after a reconnect) must not step back behind newer events.
      const job = state.job && state.job.seq > action.job.seq ? state.job : action.job;
      const history =
        action.history.length >= state.history.length
          ? appendEpochs([], action.history)
          : appendEpochs(state.history, action.history);
      return { job, history };
    }
    case 'event': {
      if (state.job && action.job.id !== state.job.id) return state;
      // Stale or repeated events (a sequence number not above the one held) are dropped.
      if (state.job && action.job.seq <= state.job.seq) return state;
      // A retry is a new attempt: its epochs replace the old curve, re-read from the start.
      const retried = state.job !== null && action.job.attempts > state.job.attempts;
      return { job: action.job, history: retried ? [] : state.history };
    }
    case 'history':
      return { ...state, history: appendEpochs(state.history, action.epochs) };
  }
}
