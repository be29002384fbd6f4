'use client';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Scale } from 'lucide-react';
import {
  EvaluationDatasetsQuery,
  EvaluationJobsQuery,
  StartEvaluationJobMutation,
} from '@/graphql/evaluation';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { RelativeTime } from '@/components/time';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { Field, Select } from '@/components/ui/input';
import { EmptyState, ErrorMessage } from '@/components/ui/states';
import { JobStatusBadge, isFinal } from '../jobs/job-status';
import { EvaluationResults } from './evaluation-results';

interface VersionChoice {
  id: string;
  version: number;
  features: readonly string[] | null;
}

/** The model page's evaluations: the latest jobs (live while one runs) and "Evaluate". */
export function EvaluationsCard({
  modelId,
  versions,
  canEdit,
}: {
  modelId: string;
  versions: readonly VersionChoice[];
  canEdit: boolean;
}) {
  const [{ data, error }, reexecute] = useQuery({
    query: EvaluationJobsQuery,
    variables: { modelId, first: 5 },
  });
  const jobs = data?.evaluationJobs ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const shown = jobs.find((j) => j.id === chosen) ?? jobs[0] ?? null;
  const running = jobs.some((j) => !isFinal(j.status));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), 2_000);
    return () => clearInterval(timer);
  }, [running, reexecute]);
  const tabular = versions.filter((v) => v.features?.length);

  return (
    <Card role="region" aria-label="Evaluations">
      <CardHeader
        title="Evaluations"
        description="Versions scored side by side on the same rows of a dataset"
        actions={
          canEdit && tabular.length ? (
            <StartEvaluationDialog
              versions={tabular}
              onStarted={(id) => {
                setChosen(id);
                reexecute({ requestPolicy: 'network-only' });
              }}
            />
          ) : null
        }
      />
      <CardBody className="grid gap-4">
        <ErrorMessage error={describeError(error)} title="Cannot load the evaluations" />
        {jobs.length === 0 ? (
          <EmptyState
            icon={<Scale />}
            title="No evaluations yet"
            description="Evaluate tabular versions on a dataset to compare their metrics."
          />
        ) : (
          <>
            <ul className="flex flex-wrap gap-2" aria-label="Evaluation jobs">
              {jobs.map((job) => (
                <li key={job.id}>
                  <button
                    type="button"
                    onClick={() => setChosen(job.id)}
                    aria-current={shown?.id === job.id ? 'true' : undefined}
                    className="flex items-center gap-2 rounded-md border border-border px-2 py-1 text-xs hover:bg-muted aria-[current=true]:border-primary/50 aria-[current=true]:bg-accent"
                  >
                    {job.versions.map((v) => `v${v.version}`).join(' vs ')} on {job.dataset.name}
                    <JobStatusBadge status={job.status} />
                    <RelativeTime iso={job.createdAt} />
                  </button>
                </li>
              ))}
            </ul>
            {shown ? (
              shown.status === 'SUCCEEDED' ? (
                <EvaluationResults job={shown} />
              ) : shown.error ? (
                <p className="text-sm text-destructive">{shown.error}</p>
              ) : (
                <p className="text-sm text-muted-foreground">
                  {isFinal(shown.status) ? 'Cancelled: no results.' : 'Scoring the versions…'}
                </p>
              )
            ) : null}
          </>
        )}
      </CardBody>
    </Card>
  );
}

/** "Evaluate": pick versions (first is the baseline), a dataset and its target column. */
export function StartEvaluationDialog({
  versions,
  onStarted,
}: {
  versions: readonly VersionChoice[];
  onStarted: (jobId: string) => void;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState<string[]>(() => versions.slice(0, 2).map((v) => v.id));
  const [datasetId, setDatasetId] = useState('');
  const [target, setTarget] = useState('');
  const [failure, setFailure] = useState<ApiErrorInfo | null>(null);
  const [{ data }] = useQuery({ query: EvaluationDatasetsQuery, pause: !open });
  const [{ fetching }, start] = useMutation(StartEvaluationJobMutation);
  const datasets = data?.datasets.edges.map((e) => e.node) ?? [];
  const features = new Set(versions.find((v) => v.id === picked[0])?.features ?? []);
  const columns =
    datasets.find((d) => d.id === datasetId)?.columns.filter((c) => !features.has(c.name)) ?? [];

  const toggle = (versionId: string) =>
    setPicked((now) =>
      now.includes(versionId) ? now.filter((v) => v !== versionId) : [...now, versionId],
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const result = await start({ input: { versionIds: picked, datasetId, target } });
    if (result.error) {
      setFailure(describeError(result.error));
      return;
    }
    const job = result.data?.startEvaluationJob;
    if (job) onStarted(job.id);
    setOpen(false);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title="Evaluate versions"
      description="Every version is scored on the dataset's rows that have the target and every feature. The first version checked is the baseline."
      trigger={
        <Button variant="outline" size="sm">
          <Scale aria-hidden />
          Evaluate
        </Button>
      }
    >
      <form onSubmit={(e) => void submit(e)} className="grid gap-4">
        <fieldset className="grid gap-1">
          <legend className="mb-1 text-sm font-medium">Versions</legend>
          {versions.map((v) => (
            <label key={v.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={picked.includes(v.id)}
                onChange={() => toggle(v.id)}
              />
              v{v.version}
              {picked[0] === v.id ? (
                <span className="text-xs text-muted-foreground">baseline</span>
              ) : null}
            </label>
          ))}
        </fieldset>
        <Field label="Dataset" htmlFor={`${id}-dataset`}>
          <Select
            id={`${id}-dataset`}
            value={datasetId}
            onChange={(e) => {
              setDatasetId(e.target.value);
              setTarget('');
            }}
            required
          >
            <option value="">Choose a dataset</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Target column" htmlFor={`${id}-target`}>
          <Select
            id={`${id}-target`}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            required
          >
            <option value="">Choose the column of actual values</option>
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.type})
              </option>
            ))}
          </Select>
        </Field>
        <ErrorMessage error={failure} title="Cannot start the evaluation" />
        <div className="flex justify-end">
          <Button type="submit" busy={fetching} disabled={!picked.length || !datasetId || !target}>
            Start evaluation
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
