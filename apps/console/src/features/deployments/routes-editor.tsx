'use client';
import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { ArrowUpCircle, Plus, Trash2, Undo2 } from 'lucide-react';
import { UpdateDeploymentRoutesMutation } from '@/graphql/serving';
import { describeError } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Input, Label, Select } from '@/components/ui/input';
import { Slider } from '@/components/ui/slider';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import {
  addRoute,
  routesChanged,
  routesProblem,
  routesToSave,
  sendAllTo,
  setCanaryWeight,
  type RouteDraft,
} from './routes';
import { WeightBar, routeColor } from './weight-bar';

/** The routes of a deployment: a canary slider for two versions, weights for more; save, promote, roll back. */
export function RoutesEditor({
  deploymentName,
  saved,
  versions,
  canEdit: mayEdit,
  lockedBy,
}: {
  deploymentName: string;
  saved: RouteDraft[];
  versions: { id: string; version: number }[];
  canEdit: boolean;
  /** Why the weights cannot be edited now (a promotion in progress owns them); null when they can. */
  lockedBy?: string | null;
}) {
  const canEdit = mayEdit && !lockedBy;
  const id = useId();
  const toast = useToast();
  const [draft, setDraft] = useState<RouteDraft[]>(saved);
  const [savedKey, setSavedKey] = useState(JSON.stringify(saved));
  // When the saved routes change (after saving, or elsewhere), start again from them.
  if (JSON.stringify(saved) !== savedKey) {
    setSavedKey(JSON.stringify(saved));
    setDraft(saved);
  }
  const [adding, setAdding] = useState('');
  const [state, update] = useMutation(UpdateDeploymentRoutesMutation);
  const problem = routesProblem(draft);
  const changed = routesChanged(saved, draft);
  const unused = versions.filter((v) => !draft.some((r) => r.versionId === v.id));

  const save = async (routes: RouteDraft[], message: string) => {
    const result = await update({ name: deploymentName, routes: routesToSave(routes) });
    if (!result.error) toast.success(message);
  };

  const [stable, canary] = draft;
  const twoRoutes = draft.length === 2 && stable && canary;

  return (
    <Card>
      <CardHeader
        title="Traffic"
        description="Weights are percentages of requests; they add up to 100."
        actions={
          canEdit && twoRoutes ? (
            <>
              <Button
                variant="outline"
                size="sm"
                onClick={() =>
                  void save(
                    sendAllTo(draft, canary.versionId),
                    `All traffic to v${canary.version}.`,
                  )
                }
                busy={state.fetching}
              >
                <ArrowUpCircle aria-hidden />
                Promote v{canary.version}
              </Button>
              <Button
                variant="outline"
                size="sm"
                onClick={() =>
                  void save(
                    sendAllTo(draft, stable.versionId),
                    `Rolled back to v${stable.version}.`,
                  )
                }
                busy={state.fetching}
              >
                <Undo2 aria-hidden />
                Roll back to v{stable.version}
              </Button>
            </>
          ) : null
        }
      />
      <CardBody className="grid gap-5">
        <WeightBar
          routes={draft.map((r) => ({ weight: r.weight, version: { version: r.version } }))}
        />
        {mayEdit && lockedBy ? (
          <p className="text-sm text-muted-foreground" data-testid="routes-locked">
            {lockedBy}
          </p>
        ) : null}
        {canEdit && twoRoutes ? (
          <div className="grid gap-2">
            <div className="flex justify-between text-sm">
              <span className="tabular-nums">
                v{stable.version} (stable) <strong>{stable.weight}%</strong>
              </span>
              <span className="tabular-nums">
                v{canary.version} (canary) <strong>{canary.weight}%</strong>
              </span>
            </div>
            {/* The thumb splits the bar as drawn above: the stable share on the left. */}
            <Slider
              value={stable.weight}
              onValueChange={(w) => setDraft(setCanaryWeight(draft, 100 - w))}
              label={`Traffic split between version ${stable.version} and the canary, version ${canary.version}`}
              valueText={`version ${stable.version} ${stable.weight}%, version ${canary.version} ${canary.weight}%`}
            />
          </div>
        ) : null}
        {canEdit ? (
          <ul className="grid gap-2">
            {draft.map((route, index) => (
              <li key={route.versionId} className="flex items-center gap-3">
                <span aria-hidden className={`size-2.5 rounded-full ${routeColor(index)}`} />
                <Label htmlFor={`${id}-${route.versionId}`} className="w-24">
                  Version {route.version}
                </Label>
                <div className="relative w-28">
                  <Input
                    id={`${id}-${route.versionId}`}
                    type="number"
                    min={0}
                    max={100}
                    step={1}
                    value={route.weight}
                    onChange={(e) =>
                      setDraft(
                        draft.map((r) =>
                          r.versionId === route.versionId
                            ? { ...r, weight: Number(e.target.value) }
                            : r,
                        ),
                      )
                    }
                    className="pr-7 tabular-nums"
                  />
                  <span className="pointer-events-none absolute top-2 right-3 text-sm text-muted-foreground">
                    %
                  </span>
                </div>
                {draft.length > 1 ? (
                  <Button
                    variant="ghost"
                    size="icon"
                    aria-label={`Remove version ${route.version}`}
                    onClick={() => setDraft(draft.filter((r) => r.versionId !== route.versionId))}
                  >
                    <Trash2 aria-hidden />
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        {canEdit && unused.length ? (
          <div className="flex flex-wrap items-end gap-2">
            <div className="grid gap-1.5">
              <Label htmlFor={`${id}-add`}>Add a version (canary)</Label>
              <Select
                id={`${id}-add`}
                value={adding}
                onChange={(e) => setAdding(e.target.value)}
                className="w-40"
              >
                <option value="">Choose…</option>
                {unused.map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.version}
                  </option>
                ))}
              </Select>
            </div>
            <Button
              variant="secondary"
              disabled={!adding}
              onClick={() => {
                const version = versions.find((v) => v.id === adding);
                if (version)
                  setDraft(addRoute(draft, { versionId: version.id, version: version.version }));
                setAdding('');
              }}
            >
              <Plus aria-hidden />
              Add
            </Button>
          </div>
        ) : null}
        {canEdit ? (
          <div className="flex flex-wrap items-center justify-end gap-3 border-t border-border pt-4">
            {problem && changed ? (
              <p className="mr-auto text-sm text-destructive">{problem}</p>
            ) : null}
            <Button variant="outline" disabled={!changed} onClick={() => setDraft(saved)}>
              Reset
            </Button>
            <Button
              disabled={!changed || Boolean(problem)}
              busy={state.fetching}
              onClick={() => void save(draft, 'Routes saved.')}
            >
              Save routes
            </Button>
          </div>
        ) : null}
        <ErrorMessage error={describeError(state.error)} title="The routes were not changed" />
      </CardBody>
    </Card>
  );
}
