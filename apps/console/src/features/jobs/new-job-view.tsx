'use client';
import { useRouter, useSearchParams } from 'next/navigation';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Play } from 'lucide-react';
import type { Algorithm, NewJobOptionsQuery as NewJobOptionsResult } from '@/gql/graphql';
import {
  NewJobOptionsQuery,
  StartTrainingJobMutation,
  WarmStartVersionsQuery,
} from '@/graphql/training';
import { describeError } from '@/lib/api-error';
import { humanizeEnum } from '@/lib/format';
import { can } from '@/lib/roles';
import { useViewer } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, Select } from '@/components/ui/input';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { HyperparameterFields } from './hyperparameter-fields';
import { buildHyperparameters, defaultFieldValues } from './hyperparameters';
import { defaultAlgorithm, defaultFeatures, defaultTarget } from './job-defaults';

/** `/jobs/new`: model, dataset, algorithm, target, features, hyperparameters, warm start. */
export function NewJobView() {
  const viewer = useViewer();
  const [{ data, fetching, error }] = useQuery({
    query: NewJobOptionsQuery,
    requestPolicy: 'network-only',
  });
  if (!can(viewer.role, 'edit')) {
    return (
      <>
        <PageHeader title="New training job" breadcrumbs={[{ href: '/jobs', label: 'Jobs' }]} />
        <Card>
          <EmptyState
            title="Editors start jobs"
            description="Your key is a viewer key: it may read and predict only."
          />
        </Card>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="New training job"
        breadcrumbs={[{ href: '/jobs', label: 'Jobs' }]}
        description="Train a model on a dataset. The result becomes the model's next version."
      />
      <ErrorMessage error={describeError(error)} title="Cannot load the choices" className="mb-4" />
      {fetching && !data ? <LoadingRows rows={6} /> : data ? <NewJobForm options={data} /> : null}
    </>
  );
}

type Options = NewJobOptionsResult;

function NewJobForm({ options }: { options: Options }) {
  const id = useId();
  const router = useRouter();
  const params = useSearchParams();
  const models = options.models.edges.map((e) => e.node);
  const datasets = options.datasets.edges.map((e) => e.node);

  const initialModel = models.find((m) => m.name === params.get('model')) ?? models[0];
  const [modelId, setModelId] = useState(initialModel?.id ?? '');
  const model = models.find((m) => m.id === modelId);
  const [datasetId, setDatasetId] = useState(
    datasets.find((d) => d.id === params.get('dataset'))?.id ?? datasets[0]?.id ?? '',
  );
  const dataset = datasets.find((d) => d.id === datasetId);
  const [algorithm, setAlgorithm] = useState<Algorithm>(defaultAlgorithm(initialModel?.task));
  const [target, setTarget] = useState(defaultTarget(dataset?.columns ?? []));
  const [features, setFeatures] = useState<string[]>(
    defaultFeatures(dataset?.columns ?? [], target),
  );
  const [warmStartId, setWarmStartId] = useState(params.get('warmStart') ?? '');
  const info = options.algorithms.find((a) => a.algorithm === algorithm);
  const specs = useMemo(() => info?.hyperparameters ?? [], [info]);
  const [hyperTexts, setHyperTexts] = useState<Record<string, string>>(() =>
    defaultFieldValues(specs),
  );
  const [touched, setTouched] = useState(false);
  const [started, startJob] = useMutation(StartTrainingJobMutation);

  // Versions a model update may start from: trained versions of this model.
  const [versionList] = useQuery({
    query: WarmStartVersionsQuery,
    variables: { name: model?.name ?? '' },
    pause: !model,
  });
  const warmStarts = (versionList.data?.model?.versions.edges.map((e) => e.node) ?? []).filter(
    (v) => v.trainingJob,
  );

  const chooseDataset = (next: string) => {
    setDatasetId(next);
    const columns = datasets.find((d) => d.id === next)?.columns ?? [];
    const nextTarget = columns.some((c) => c.name === target) ? target : defaultTarget(columns);
    setTarget(nextTarget);
    setFeatures(defaultFeatures(columns, nextTarget));
  };
  const chooseTarget = (next: string) => {
    setTarget(next);
    setFeatures(defaultFeatures(dataset?.columns ?? [], next));
  };
  const chooseAlgorithm = (next: Algorithm) => {
    setAlgorithm(next);
    setHyperTexts(
      defaultFieldValues(
        options.algorithms.find((a) => a.algorithm === next)?.hyperparameters ?? [],
      ),
    );
  };
  const chooseModel = (next: string) => {
    setModelId(next);
    setWarmStartId('');
    chooseAlgorithm(defaultAlgorithm(models.find((m) => m.id === next)?.task));
  };
  const chooseWarmStart = (versionId: string) => {
    setWarmStartId(versionId);
    // A model update continues the same algorithm on the same target and features.
    const parent = warmStarts.find((v) => v.id === versionId)?.trainingJob;
    if (parent) {
      if (parent.algorithm !== algorithm) chooseAlgorithm(parent.algorithm);
      setTarget(parent.target);
      setFeatures(parent.features);
    }
  };

  const built = buildHyperparameters(specs, hyperTexts);
  const problems = {
    model: modelId ? null : 'Create a model first.',
    dataset: datasetId ? null : 'Upload a dataset first.',
    target: target ? null : 'Choose the column to predict.',
    features: features.length ? null : 'Choose at least one feature.',
  };
  const invalid = Object.values(problems).some(Boolean) || 'errors' in built;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (invalid || 'errors' in built) return;
    const result = await startJob({
      input: {
        modelId,
        datasetId,
        algorithm,
        target,
        features,
        hyperparameters: built.hyperparameters,
        warmStartVersionId: warmStartId || null,
      },
    });
    if (result.data) router.push(`/jobs/${result.data.startTrainingJob.id}`);
  };

  const otherColumns = (dataset?.columns ?? []).filter((c) => c.name !== target);
  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      className="grid gap-6 lg:grid-cols-[1fr_1fr]"
    >
      <Card>
        <CardHeader title="What to train" />
        <CardBody className="grid gap-4">
          <Field label="Model" htmlFor={`${id}-model`} error={touched ? problems.model : null}>
            <Select
              id={`${id}-model`}
              value={modelId}
              onChange={(e) => chooseModel(e.target.value)}
            >
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} ({humanizeEnum(m.task).toLowerCase()})
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Dataset"
            htmlFor={`${id}-dataset`}
            error={touched ? problems.dataset : null}
          >
            <Select
              id={`${id}-dataset`}
              value={datasetId}
              onChange={(e) => chooseDataset(e.target.value)}
            >
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.rowCount.toLocaleString('en')} rows)
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Model update (warm start)"
            htmlFor={`${id}-warm`}
            hint="Continue from a trained version's weights on new data; the result records it as its parent."
          >
            <Select
              id={`${id}-warm`}
              value={warmStartId}
              onChange={(e) => chooseWarmStart(e.target.value)}
            >
              <option value="">No: start from fresh weights</option>
              {warmStarts.map((v) => (
                <option key={v.id} value={v.id}>
                  From version {v.version}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Algorithm" htmlFor={`${id}-algorithm`} hint={info?.description}>
            <Select
              id={`${id}-algorithm`}
              value={algorithm}
              onChange={(e) => chooseAlgorithm(e.target.value as Algorithm)}
            >
              {options.algorithms.map((a) => (
                <option key={a.algorithm} value={a.algorithm}>
                  {humanizeEnum(a.algorithm)} (
                  {a.tasks.map((t) => humanizeEnum(t).toLowerCase()).join(', ')})
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Target"
            htmlFor={`${id}-target`}
            hint="The column to predict"
            error={touched ? problems.target : null}
          >
            <Select
              id={`${id}-target`}
              value={target}
              onChange={(e) => chooseTarget(e.target.value)}
            >
              {(dataset?.columns ?? []).map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.type})
                </option>
              ))}
            </Select>
          </Field>
          <fieldset className="grid gap-2">
            <legend className="mb-1.5 text-sm font-medium">Features</legend>
            <div className="flex flex-wrap gap-2">
              {otherColumns.map((c) => {
                const checked = features.includes(c.name);
                return (
                  <label
                    key={c.name}
                    className="flex cursor-pointer items-center gap-2 rounded-md border border-border px-2.5 py-1.5 text-sm has-[:checked]:border-primary/60 has-[:checked]:bg-accent"
                  >
                    <input
                      type="checkbox"
                      className="accent-primary"
                      checked={checked}
                      onChange={() =>
                        setFeatures((all) =>
                          checked ? all.filter((f) => f !== c.name) : [...all, c.name],
                        )
                      }
                    />
                    <span className="font-mono">{c.name}</span>
                    <span className="text-xs text-muted-foreground">{c.type}</span>
                  </label>
                );
              })}
            </div>
            {touched && problems.features ? (
              <p className="text-xs text-destructive">{problems.features}</p>
            ) : null}
          </fieldset>
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Hyperparameters" description="Defaults and bounds come from the API" />
        <CardBody className="grid gap-4">
          <HyperparameterFields
            specs={specs}
            values={hyperTexts}
            errors={'errors' in built ? built.errors : {}}
            onChange={(name, text) => setHyperTexts((all) => ({ ...all, [name]: text }))}
          />
        </CardBody>
      </Card>
      <div className="flex flex-wrap items-center justify-end gap-3 lg:col-span-2">
        <ErrorMessage
          error={describeError(started.error)}
          title="The job was not started"
          className="flex-1"
        />
        <Button type="submit" size="lg" busy={started.fetching} disabled={touched && invalid}>
          <Play aria-hidden />
          Start training
        </Button>
      </div>
    </form>
  );
}
