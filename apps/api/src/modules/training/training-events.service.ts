import { TRAINING_EVENTS_CHANNEL, type EventBus } from '@maas/db';
import { parseTrainingJobEvent } from '@maas/jobs';
import { notFound } from '../../common/errors';
import { signalStream, type SignalQueue } from '../../common/signal-queue';
import type { AuthInfo } from '../auth/auth.service';
import { isFinal, type TrainingService } from './training.service';
import type { TrainingJob } from './training.types';

type Signal = { jobId: string; seq: number } | { reconnected: true };

/**
 * Training-job subscriptions, fed by PostgreSQL LISTEN/NOTIFY (docs/api.md, "Subscriptions"):
 * listen first, then read and send the current state, then every change in order (stale or
 * repeated sequence numbers dropped), re-read after the listener reconnects, and complete after
 * a final state. Events carry only ids; each job is re-read per event, never from a cache.
 */
export class TrainingEventsService {
  constructor(
    private readonly bus: EventBus,
    private readonly training: TrainingService,
  ) {}

  private async listen(auth: AuthInfo, queue: SignalQueue<Signal>): Promise<() => Promise<void>> {
    return this.bus.subscribe(
      TRAINING_EVENTS_CHANNEL,
      (payload) => {
        const event = parseTrainingJobEvent(payload);
        if (event && event.workspaceId === auth.workspaceId)
          queue.push({ jobId: event.jobId, seq: event.seq });
      },
      { onReconnect: () => queue.push({ reconnected: true }) },
    );
  }

  /** `trainingJobUpdated(id)`: the job now, then each change, completing after a final state. */
  jobUpdates(auth: AuthInfo, jobId: string): AsyncGenerator<TrainingJob> {
    return signalStream<Signal, TrainingJob>((queue) => this.jobStream(auth, jobId, queue));
  }

  /** `trainingJobsUpdated`: every change of every job in the caller's workspace. */
  workspaceUpdates(auth: AuthInfo): AsyncGenerator<TrainingJob> {
    return signalStream<Signal, TrainingJob>((queue) => this.workspaceStream(auth, queue));
  }

  private async *jobStream(
    auth: AuthInfo,
    jobId: string,
    queue: SignalQueue<Signal>,
  ): AsyncGenerator<TrainingJob> {
    const unsubscribe = await this.listen(auth, queue);
    try {
      let job = await this.training.find(auth, jobId);
      if (!job) throw notFound(`Training job ${jobId} does not exist`);
      let lastSeq = job.seq;
      yield job;
      while (!isFinal(job.status)) {
        const signals = await queue.next();
        const relevant = signals.some(
          (s) => 'reconnected' in s || (s.jobId === jobId && s.seq > lastSeq),
        );
        if (!relevant) continue;
        const fresh = await this.training.find(auth, jobId);
        if (!fresh) return;
        if (fresh.seq <= lastSeq) continue;
        job = fresh;
        lastSeq = job.seq;
        yield job;
      }
    } finally {
      await unsubscribe();
    }
  }

  private async *workspaceStream(
    auth: AuthInfo,
    queue: SignalQueue<Signal>,
  ): AsyncGenerator<TrainingJob> {
    const unsubscribe = await this.listen(auth, queue);
    const lastSeq = new Map<string, number>();
    try {
      for (;;) {
        const signals = await queue.next();
        const due = new Map<string, number>();
        for (const s of signals) {
          if ('reconnected' in s) continue; // nothing to re-send: this stream has no "current state"
          if (s.seq > (lastSeq.get(s.jobId) ?? 0))
            due.set(s.jobId, Math.max(s.seq, due.get(s.jobId) ?? 0));
        }
        for (const jobId of due.keys()) {
          const job = await this.training.find(auth, jobId);
          if (!job || job.seq <= (lastSeq.get(jobId) ?? 0)) continue;
          lastSeq.set(jobId, job.seq);
          if (lastSeq.size > 10_000) lastSeq.clear();
          yield job;
        }
      }
    } finally {
      await unsubscribe();
    }
  }
}
