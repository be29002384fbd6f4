'use client';
// The deployment page's promotion view: the latest promotion, advancing live over
// `promotionUpdated` (steps, their measured figures, the status), with approve and cancel; and a
// form that starts a guarded promotion of another version.
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { CheckCircle2, Rocket, XCircle } from 'lucide-react';
import type { PromotionFieldsFragment } from '@/gql/graphql';
import {
  ApprovePromotionMutation,
  CancelPromotionMutation,
  DeploymentPromotionsQuery,
  PromoteMutation,
  PromotionUpdatedSubscription,
} from '@/graphql/promotions';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { formatMs, humanizeEnum } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Input, Label, Select } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import {
  isActivePromotion,
  promotionTone,
  requestProgress,
  stepState,
  type StepState,
} from './promotion-state';

type Promotion = PromotionFieldsFragment;

const STATE_TONE: Record<StepState, 'neutral' | 'primary' | 'success' | 'danger'> = {
  pending: 'neutral',
  running: 'primary',
  passed: 'success',
  'rolled back': 'danger',
  cancelled: 'neutral',
};

/** "10, 50, 100" → the weights; null when it is not a list of whole numbers. */
export function parseWeights(text: string): number[] | null {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number);
}

export function PromotionPanel({
  deploymentName,
  versions,
  servingVersionIds,
  canEdit,
  onRoutesMoved,
  onLive,
}: {
  deploymentName: string;
  versions: { id: string; version: number }[];
  /** Versions with traffic now: the candidate is picked among the others. */
  servingVersionIds: string[];
  canEdit: boolean;
  /** Called when the shown promotion moved the deployment's routes (a step started, it ended). */
  onRoutesMoved?: () => void;
  /** Called with whether the shown promotion is in progress (it owns the routes while it is). */
  onLive?: (live: boolean) => void;
}) {
  const [{ data, error }] = useQuery({
    query: DeploymentPromotionsQuery,
    variables: { deployment: deploymentName },
  });
  const [own, setOwn] = useState<Promotion | null>(null);
  const latest = data?.promotions[0] ?? null;
  const shown = own ?? latest;
  const live = shown !== null && isActivePromotion(shown.status);
  // The routes change when a step starts and when the promotion ends: the page reloads them.
  const routesKey = shown ? routesMark(shown) : null;
  const lastRoutesKey = useRef<string | null>(null);
  useEffect(() => {
    const previous = lastRoutesKey.current;
    lastRoutesKey.current = routesKey;
    if (previous !== null && routesKey !== null && previous !== routesKey) onRoutesMoved?.();
  }, [routesKey, onRoutesMoved]);
  useEffect(() => onLive?.(live), [live, onLive]);

  const onPush = useCallback((_prev: unknown, event: { promotionUpdated: Promotion }) => {
    setOwn(event.promotionUpdated);
    return event;
  }, []);
  const [pushed] = useSubscription(
    {
      query: PromotionUpdatedSubscription,
      variables: { id: shown?.id ?? '' },
      pause: !live,
    },
    onPush,
  );

  const [, approve] = useMutation(ApprovePromotionMutation);
  const [, cancel] = useMutation(CancelPromotionMutation);
  const [actionError, setActionError] = useState<ApiErrorInfo | null>(null);
  const act = async (run: () => Promise<{ data?: unknown; error?: unknown }>, key: string) => {
    const result = await run();
    if (result.error) setActionError(describeError(result.error as Error));
    else {
      setActionError(null);
      const next = (result.data as Record<string, Promotion> | undefined)?.[key];
      if (next) setOwn(next);
    }
  };

  return (
    <Card role="region" aria-label="Promotion">
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            <Rocket aria-hidden className="size-4 text-primary" />
            Promotion
          </span>
        }
        description="A guarded rollout: the candidate's share grows step by step, each step judged on its own traffic; a step over the limits gives the champion all traffic back"
      />
      <CardBody className="grid gap-4">
        <ErrorMessage error={describeError(error ?? pushed.error)} title="Promotions unavailable" />
        <ErrorMessage error={actionError} title="The promotion refused that" />
        {shown ? (
          <PromotionSummary
            promotion={shown}
            actions={
              canEdit && live ? (
                <>
                  {shown.status === 'WAITING_FOR_APPROVAL' ? (
                    <Button
                      size="sm"
                      onClick={() => void act(() => approve({ id: shown.id }), 'approvePromotion')}
                    >
                      <CheckCircle2 aria-hidden />
                      Approve
                    </Button>
                  ) : null}
                  <Button
                    size="sm"
                    variant="outline"
                    onClick={() => void act(() => cancel({ id: shown.id }), 'cancelPromotion')}
                  >
                    <XCircle aria-hidden />
                    Cancel promotion
                  </Button>
                </>
              ) : null
            }
          />
        ) : null}
        {canEdit && !live ? (
          <StartPromotion
            deploymentName={deploymentName}
            candidates={versions.filter((v) => !servingVersionIds.includes(v.id))}
            onStarted={setOwn}
          />
        ) : null}
      </CardBody>
    </Card>
  );
}

/** What of a promotion decides the routes: which steps have started, and whether it is over. */
function routesMark(promotion: Promotion): string {
  const started = promotion.steps.filter((s) => s.startedAt).length;
  return `${promotion.id}:${started}:${isActivePromotion(promotion.status) ? 'live' : 'over'}`;
}

function PromotionSummary({ promotion, actions }: { promotion: Promotion; actions: ReactNode }) {
  return (
    <div className="grid gap-3" data-testid="promotion" data-status={promotion.status}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={promotionTone(promotion.status)} aria-label="Promotion status">
          {humanizeEnum(promotion.status)}
        </Badge>
        <span>
          v{promotion.candidate.version}
          {promotion.champion ? ` over v${promotion.champion.version}` : ''}
        </span>
        {promotion.forced ? <Badge tone="warning">forced</Badge> : null}
        {actions ? (
          <div className="ml-auto flex flex-wrap items-center gap-2">{actions}</div>
        ) : null}
      </div>
      {promotion.reason ? (
        <p className="text-sm text-muted-foreground" data-testid="promotion-reason">
          {promotion.reason}
        </p>
      ) : null}
      <ol className="grid gap-2" aria-label="Rollout steps">
        {promotion.steps.map((step, i) => {
          const state = stepState(step);
          return (
            <li
              key={i}
              aria-label={`Step ${i + 1}: ${step.weight}%`}
              data-state={state}
              className="grid gap-1 rounded-lg border border-border px-3 py-2 text-sm"
            >
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="font-medium">
                  Step {i + 1}: {step.weight}% to v{promotion.candidate.version}
                </span>
                <Badge tone={STATE_TONE[state]}>{state}</Badge>
              </div>
              {state === 'pending' ? null : (
                <div className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-muted-foreground tabular-nums">
                  <span>
                    {step.requests} / {step.minRequests} requests
                  </span>
                  <span>
                    error rate{' '}
                    {step.errorRate === null ? '—' : `${(step.errorRate * 100).toFixed(1)}%`}
                  </span>
                  <span>p99 {formatMs(step.p99LatencyMs)}</span>
                  {step.minSeconds > 0 ? <span>held ≥ {step.minSeconds} s</span> : null}
                </div>
              )}
              {state === 'running' ? (
                <div
                  role="progressbar"
                  aria-label={`Step ${i + 1} requests`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(requestProgress(step) * 100)}
                  className="h-1.5 overflow-hidden rounded-full bg-muted"
                >
                  <div
                    className="h-full bg-primary"
                    style={{ width: `${Math.round(requestProgress(step) * 100)}%` }}
                  />
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function StartPromotion({
  deploymentName,
  candidates,
  onStarted,
}: {
  deploymentName: string;
  candidates: { id: string; version: number }[];
  onStarted: (p: Promotion) => void;
}) {
  const id = useId();
  const [versionId, setVersionId] = useState(candidates.at(-1)?.id ?? '');
  const [weights, setWeights] = useState('10, 50, 100');
  const [minRequests, setMinRequests] = useState('100');
  const [requireApproval, setRequireApproval] = useState(false);
  const [problem, setProblem] = useState<ApiErrorInfo | null>(null);
  const [{ fetching }, promote] = useMutation(PromoteMutation);
  if (candidates.length === 0) return null;
  const chosen = candidates.some((c) => c.id === versionId)
    ? versionId
    : (candidates.at(-1)?.id ?? '');
  const submit = async () => {
    const parsed = parseWeights(weights);
    const requests = Number(minRequests);
    if (!parsed || !Number.isInteger(requests) || requests < 0) {
      setProblem({
        message:
          'Steps are whole percentages separated by commas, e.g. 10, 50, 100; requests a whole number.',
      });
      return;
    }
    const result = await promote({
      input: {
        deployment: deploymentName,
        versionId: chosen,
        policy: {
          steps: parsed.map((weight) => ({ weight, minRequests: requests })),
          requireApproval,
        },
      },
    });
    if (result.error) setProblem(describeError(result.error));
    else if (result.data) {
      setProblem(null);
      onStarted(result.data.promote);
    }
  };
  return (
    <form
      className="grid gap-3 rounded-lg border border-dashed border-border p-3 sm:grid-cols-4"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="grid gap-1">
        <Label htmlFor={`${id}-version`}>Candidate</Label>
        <Select id={`${id}-version`} value={chosen} onChange={(e) => setVersionId(e.target.value)}>
          {candidates.map((c) => (
            <option key={c.id} value={c.id}>
              v{c.version}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1">
        <Label htmlFor={`${id}-steps`}>Steps (%)</Label>
        <Input id={`${id}-steps`} value={weights} onChange={(e) => setWeights(e.target.value)} />
      </div>
      <div className="grid gap-1">
        <Label htmlFor={`${id}-requests`}>Requests per step</Label>
        <Input
          id={`${id}-requests`}
          inputMode="numeric"
          value={minRequests}
          onChange={(e) => setMinRequests(e.target.value)}
        />
      </div>
      <div className="flex flex-col justify-end gap-2">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={requireApproval}
            onChange={(e) => setRequireApproval(e.target.checked)}
          />
          Wait for approval
        </label>
        <Button type="submit" disabled={fetching || chosen === ''}>
          Start promotion
        </Button>
      </div>
      {problem ? (
        <div className="sm:col-span-4">
          <ErrorMessage error={problem} title="Cannot start the promotion" />
        </div>
      ) : null}
    </form>
  );
}
