'use client';
import Link from 'next/link';
import { useQuery } from 'urql';
import { History, RefreshCw } from 'lucide-react';
import type { ModelTimelineQuery as ModelTimelineData } from '@/gql/graphql';
import { ModelTimelineQuery } from '@/graphql/timeline';
import { describeError } from '@/lib/api-error';
import { RelativeTime } from '@/components/time';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';

/** Events the card asks for (the API allows 1 to 500). */
export const TIMELINE_EVENTS = 50;

type TimelineEvent = NonNullable<ModelTimelineData['model']>['timeline'][number];
type RetrainPolicy = NonNullable<NonNullable<ModelTimelineData['model']>['retrainPolicy']>;

/** The tone of an event's kind: what ended badly is red, what ended well green. */
export function kindTone(kind: string): BadgeTone {
  if (/(failed|rolled_back|refused)$/.test(kind)) return 'danger';
  if (/(cancelled|policy\.deleted)$/.test(kind) || kind.startsWith('monitoring.')) return 'warning';
  if (/(succeeded|completed)$/.test(kind) || kind === 'promotion.step.ended') return 'success';
  if (kind.startsWith('retrain') || kind.startsWith('policy')) return 'primary';
  return 'neutral';
}

/** "500 feedback rows or input drift above 0.2 or every 3600 s", from RetrainPolicy.trigger. */
export function describeTrigger(trigger: unknown): string {
  const t = (trigger ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof t.minFeedbackRows === 'number') parts.push(`${t.minFeedbackRows} new feedback rows`);
  if (typeof t.maxInputDrift === 'number') parts.push(`input drift above ${t.maxInputDrift}`);
  if (typeof t.everySeconds === 'number') parts.push(`every ${t.everySeconds} s`);
  return parts.join(' or ') || 'no trigger';
}

function PolicySummary({ policy }: { policy: RetrainPolicy | null }) {
  if (!policy)
    return (
      <p className="text-muted-foreground text-sm">
        No retraining policy: versions change only when someone trains or promotes one.
      </p>
    );
  return (
    <p className="text-sm" aria-label="Retraining policy">
      Retrains on{' '}
      <Link
        className="font-medium underline-offset-2 hover:underline"
        href={`/deployments/${encodeURIComponent(policy.deployment.name)}`}
      >
        {policy.deployment.name}
      </Link>
      's feedback after {describeTrigger(policy.trigger)}
      {policy.enabled ? '' : ' (switched off: set it again with a live key)'};{' '}
      {policy.lastTriggeredAt ? (
        <>
          last run <RelativeTime iso={policy.lastTriggeredAt} />.
        </>
      ) : (
        'not run yet.'
      )}
    </p>
  );
}

function EventLinks({ event, modelName }: { event: TimelineEvent; modelName: string }) {
  const links: { href: string; label: string }[] = [];
  if (event.version)
    links.push({
      href: `/models/${encodeURIComponent(modelName)}?version=${event.version.version}`,
      label: `v${event.version.version}`,
    });
  if (event.trainingJob) links.push({ href: `/jobs/${event.trainingJob.id}`, label: 'job' });
  if (links.length === 0) return null;
  return (
    <span className="flex gap-2 text-xs">
      {links.map((l) => (
        <Link key={l.href} href={l.href} className="text-primary hover:underline">
          {l.label}
        </Link>
      ))}
    </span>
  );
}

/**
 * The model page's timeline (Model.timeline): feedback, retraining runs, training and evaluation
 * jobs, promotions and their steps, rollbacks, newest first, with the retraining policy above.
 */
export function ModelTimeline({ modelId, modelName }: { modelId: string; modelName: string }) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ModelTimelineQuery,
    variables: { id: modelId, first: TIMELINE_EVENTS },
  });
  const model = data?.model ?? null;
  const events = model?.timeline ?? [];
  return (
    <Card role="region" aria-label="Timeline">
      <CardHeader
        title="Timeline"
        description="What happened to this model, newest first"
        actions={
          <Button
            variant="outline"
            size="sm"
            onClick={() => reexecute({ requestPolicy: 'network-only' })}
          >
            <RefreshCw aria-hidden /> Refresh
          </Button>
        }
      />
      <CardBody className="grid gap-4">
        <ErrorMessage error={describeError(error)} title="Cannot load the timeline" />
        {model ? <PolicySummary policy={model.retrainPolicy} /> : null}
        {!data && fetching ? (
          <LoadingRows rows={3} />
        ) : model && events.length === 0 ? (
          <EmptyState
            icon={<History />}
            title="Nothing yet"
            description="Training jobs, feedback, evaluations and promotions appear here."
          />
        ) : (
          <ol className="grid grid-cols-[minmax(0,1fr)] gap-2" aria-label="Timeline events">
            {events.map((e, i) => (
              <li
                key={`${e.at}-${e.kind}-${i}`}
                className="grid grid-cols-[minmax(0,1fr)] items-start gap-x-3 gap-y-0.5 text-sm sm:grid-cols-[8rem_minmax(0,1fr)]"
              >
                <span className="text-muted-foreground">
                  <RelativeTime iso={e.at} />
                </span>
                <span className="grid min-w-0 gap-1">
                  <span className="flex flex-wrap items-center gap-2">
                    <Badge tone={kindTone(e.kind)}>{e.kind}</Badge>
                    <EventLinks event={e} modelName={modelName} />
                  </span>
                  <span className="break-words">{e.message}</span>
                </span>
              </li>
            ))}
          </ol>
        )}
      </CardBody>
    </Card>
  );
}
