'use client';
import { useState } from 'react';
import { useQuery } from 'urql';
import type { LanguageModelInfoFieldsFragment } from '@/gql/graphql';
import {
  LanguageModelVersionInfoQuery,
  LanguageModelVersionsQuery,
} from '@/graphql/language-models';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { Field, Select } from '@/components/ui/input';
import {
  initialTargetKey,
  modelReference,
  parseTargetKey,
  resolvedVersionId,
  type TargetDeployment,
  type TargetKey,
  type TargetModel,
} from './model-target';

export interface Targets {
  deployments: (TargetDeployment & { id: string; model: { name: string } })[];
  models: (TargetModel & { id: string })[];
}

export interface TargetState {
  key: TargetKey;
  setKey: (key: TargetKey) => void;
  choice: string;
  setChoice: (choice: string) => void;
  /** The `model` argument to send; null while nothing is picked. */
  reference: string | null;
  versions: {
    aliases: { alias: string; version: { id: string; version: number } }[];
    versions: { id: string; version: number }[];
  } | null;
  /** The version the request should reach, described. */
  resolved: {
    id: string;
    version: number;
    modelName: string;
    languageModel: LanguageModelInfoFieldsFragment | null;
  } | null;
  error: ApiErrorInfo | null;
}

/** The picked deployment or model (and alias or version) of one panel. */
export function useTarget(
  targets: Targets,
  fromUrl: { deployment: string | null; model: string | null; version: string | null },
): TargetState {
  // The URL counts when the panel opens; later changes to it (another tab) do not move the pick.
  const [initial] = useState(fromUrl);
  const [chosen, setChosen] = useState<TargetKey | null>(null);
  const [choice, setChoice] = useState(initial.version ?? '');
  const key = chosen ?? initialTargetKey(initial, targets.deployments, targets.models);
  const target = parseTargetKey(key);
  const [versionList] = useQuery({
    query: LanguageModelVersionsQuery,
    variables: { name: target?.name ?? '' },
    pause: target?.kind !== 'model',
  });
  const model = target?.kind === 'model' ? versionList.data?.model : null;
  const versions = model
    ? { aliases: model.aliases, versions: model.versions.edges.map((e) => e.node) }
    : null;
  const versionId = resolvedVersionId(key, choice, targets.deployments, targets.models, versions);
  const [info] = useQuery({
    query: LanguageModelVersionInfoQuery,
    variables: { id: versionId ?? '' },
    pause: !versionId,
  });
  const described = versionId ? info.data?.modelVersion : null;
  return {
    key,
    setKey: (next) => {
      setChosen(next);
      setChoice('');
    },
    choice,
    setChoice,
    reference: modelReference(key, choice),
    versions,
    resolved: described
      ? {
          id: described.id,
          version: described.version,
          modelName: described.model.name,
          languageModel: described.languageModel,
        }
      : null,
    error: describeError(versionList.error ?? info.error),
  };
}

/** The deployment-or-model select and, for a model, its alias-or-version select. */
export function TargetPicker({
  id,
  targets,
  state,
  label = 'Deployment or model',
}: {
  id: string;
  targets: Targets;
  state: TargetState;
  label?: string;
}) {
  const target = parseTargetKey(state.key);
  const known =
    target?.kind === 'deployment'
      ? targets.deployments.some((d) => d.name === target.name)
      : targets.models.some((m) => m.name === target?.name);
  return (
    <div className="grid gap-4">
      <Field label={label} htmlFor={`${id}-target`}>
        <Select
          id={`${id}-target`}
          value={state.key}
          onChange={(e) => state.setKey(e.target.value)}
        >
          {target && !known ? (
            // A name from the URL that the lists do not hold: kept, so the API can say why.
            <option value={state.key}>{target.name}</option>
          ) : null}
          {targets.deployments.length ? (
            <optgroup label="Deployments">
              {targets.deployments.map((d) => (
                <option key={d.id} value={`d:${d.name}`}>
                  {d.name} → {d.model.name}
                </option>
              ))}
            </optgroup>
          ) : null}
          {targets.models.length ? (
            <optgroup label="Models">
              {targets.models
                .filter((m) => m.latestVersion)
                .map((m) => (
                  <option key={m.id} value={`m:${m.name}`}>
                    {m.name}
                  </option>
                ))}
            </optgroup>
          ) : null}
        </Select>
      </Field>
      {target?.kind === 'model' ? (
        <Field label="Alias or version" htmlFor={`${id}-version`}>
          <Select
            id={`${id}-version`}
            value={state.choice}
            onChange={(e) => state.setChoice(e.target.value)}
          >
            <option value="">Default: production, else latest</option>
            {state.versions?.aliases.length ? (
              <optgroup label="Aliases">
                {state.versions.aliases.map((a) => (
                  <option key={a.alias} value={a.alias}>
                    @{a.alias} (v{a.version.version})
                  </option>
                ))}
              </optgroup>
            ) : null}
            {state.versions?.versions.length ? (
              <optgroup label="Versions">
                {state.versions.versions.map((v) => (
                  <option key={v.id} value={String(v.version)}>
                    v{v.version}
                  </option>
                ))}
              </optgroup>
            ) : state.choice ? (
              <option value={state.choice}>@{state.choice}</option>
            ) : null}
          </Select>
        </Field>
      ) : target?.kind === 'deployment' ? (
        <p className="text-sm text-muted-foreground">
          The deployment picks a version by its route weights
          {state.resolved ? `; most requests reach v${state.resolved.version}` : ''}.
        </p>
      ) : null}
      {state.reference ? (
        <p className="text-xs text-muted-foreground">
          Sends{' '}
          <code className="rounded bg-muted px-1 py-0.5 font-mono">model: {state.reference}</code>
        </p>
      ) : null}
    </div>
  );
}
